"""
Test hooks (mounted only with FASTAPI_DEMO_TEST_HOOKS=1): what the server saw, counted on the
server, so the e2e suite never has to trust the client's account of what it did.
"""

from collections import Counter

from fastapi import APIRouter, Request

_counts: Counter = Counter()
_issued: list[str] = []
_presented: list[str] = []
_chat: list[str] = []
_by_path: dict[str, dict[str, int]] = {}

COUNTS = ("refreshCalls", "refreshSuccesses", "unauthorizedSent", "logoutCalls", "wsAccepted", "wsRejected", "wsClosedAtExpiry")


def count(name: str) -> None:
    _counts[name] += 1


def refresh_token_issued(jti: str) -> None:
    _issued.append(jti)


def refresh_token_presented(jti: str) -> None:
    _presented.append(jti)


def chat_message(text: str) -> None:
    _chat.append(text)


async def count_responses(request: Request, call_next):
    response = await call_next(request)
    seen = _by_path.setdefault(request.url.path, {"withAuthorization": 0, "withoutAuthorization": 0})
    seen["withAuthorization" if "authorization" in request.headers else "withoutAuthorization"] += 1
    if response.status_code == 401:
        count("unauthorizedSent")
    return response


def snapshot() -> dict:
    return {
        **{name: _counts[name] for name in COUNTS},
        "byPath": _by_path,
        "refreshTokensIssued": len(_issued),
        # Every refresh presented a refresh token this server issued at login: the client kept it.
        "refreshTokensPresented": len(_presented),
        "presentedWereIssued": all(jti in _issued for jti in _presented),
        "distinctRefreshTokensPresented": len(set(_presented)),
        "chat": list(_chat),
    }


def router(settings: dict) -> APIRouter:
    hooks = APIRouter(prefix="/__test")

    @hooks.get("/counters")
    async def read_counters():
        return snapshot()

    @hooks.post("/counters")
    async def reset_counters():
        _counts.clear()
        _presented.clear()
        _chat.clear()
        _by_path.clear()
        return snapshot()

    @hooks.post("/access-ttl")
    async def set_access_ttl(body: dict):
        settings["access_ttl"] = int(body["seconds"])
        return {"seconds": settings["access_ttl"]}

    return hooks
