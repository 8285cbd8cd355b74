"""
Test hooks (mounted only with DRF_DEMO_TEST_HOOKS=1): what the server saw, counted on the
server, so the e2e suite never has to trust the client's account of how often it refreshed.
"""

import json
import threading
from collections import Counter
from datetime import timedelta

import jwt
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import AccessToken

LOGIN = "/api/token/"
REFRESH = "/api/token/refresh/"
LOGOUT = "/api/token/blacklist/"

_lock = threading.Lock()
_counts = Counter()
_by_path = {}
# jti of every refresh token this server handed out, in order; and of every one presented to refresh.
_issued = []
_presented = []


def _jti(token):
    try:
        return jwt.decode(token, options={"verify_signature": False}).get("jti")
    except jwt.PyJWTError:
        return None


def _presented_jti(request):
    try:
        return _jti(json.loads(request.body).get("refresh", ""))
    except (ValueError, AttributeError):
        return None


class CountersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        presented = _presented_jti(request) if path == REFRESH and request.method == "POST" else None
        response = self.get_response(request)
        data = getattr(response, "data", None)
        issued = data.get("refresh") if isinstance(data, dict) and response.status_code == 200 else None
        detail = str(data.get("detail", "")) if isinstance(data, dict) else ""
        with _lock:
            seen = _by_path.setdefault(path, {"withAuthorization": 0, "withoutAuthorization": 0})
            seen["withAuthorization" if "HTTP_AUTHORIZATION" in request.META else "withoutAuthorization"] += 1
            if response.status_code == 401:
                _counts["unauthorizedSent"] += 1
            if path == LOGIN and response.status_code == 200:
                _counts["logins"] += 1
            if path == REFRESH:
                _counts["refreshCalls"] += 1
                if presented is not None:
                    _presented.append(presented)
                if response.status_code == 200:
                    _counts["refreshSuccesses"] += 1
                elif detail == "Token is blacklisted":
                    _counts["blacklistedTokenErrors"] += 1
            if path == LOGOUT:
                _counts["logoutCalls"] += 1
                if response.status_code == 200:
                    _counts["logoutSuccesses"] += 1
            if path in (LOGIN, REFRESH) and isinstance(issued, str):
                _issued.append(_jti(issued))
        return response


def _snapshot():
    with _lock:
        issued = list(_issued)
        snapshot = {
            **{key: _counts[key] for key in COUNTS},
            "byPath": json.loads(json.dumps(_by_path)),
            "refreshTokensIssued": len(issued),
            "refreshTokensPresented": len(_presented),
            "distinctRefreshTokensPresented": len(set(_presented)),
        }
    blacklisted = set(BlacklistedToken.objects.filter(token__jti__in=issued).values_list("token__jti", flat=True))
    snapshot["refreshTokensIssuedAndBlacklisted"] = sum(1 for jti in issued if jti in blacklisted)
    return snapshot


COUNTS = (
    "logins",
    "refreshCalls",
    "refreshSuccesses",
    "blacklistedTokenErrors",
    "unauthorizedSent",
    "logoutCalls",
    "logoutSuccesses",
)


@csrf_exempt
def counters_view(request):
    """GET: the counters. POST: zero them (the database, and so the blacklist, is kept)."""
    if request.method == "POST":
        with _lock:
            _counts.clear()
            _by_path.clear()
            _presented.clear()
    return JsonResponse(_snapshot())


@csrf_exempt
def access_ttl_view(request):
    """POST {"seconds": n}: the lifetime of access tokens issued from now on (0: born expired)."""
    if request.method != "POST":
        return JsonResponse({"error": "POST only"}, status=405)
    seconds = json.loads(request.body)["seconds"]
    # SimpleJWT reads the lifetime from this class attribute whenever it issues an access token.
    AccessToken.lifetime = timedelta(seconds=seconds)
    return JsonResponse({"seconds": seconds})
