"""
A FastAPI app written the way FastAPI's security tutorial writes one, with the two habits of
the teams in the incident reports:

- login is `OAuth2PasswordRequestForm` (a form body), answering `{access_token, refresh_token,
  token_type}`;
- the refresh endpoint answers a new access token only: the client must keep the refresh token
  it has (RFC 6749 §6 allows that);
- the chat WebSocket takes the access token from its query string (`/ws/chat?token=...`) and
  closes with 4003 when that token expires, as the server in report 001 does.

Environment:
  ACCESS_TOKEN_EXPIRE_SECONDS  access-token lifetime (default 1800, the reports' 30 minutes)
  FASTAPI_DEMO_TEST_HOOKS      "1" mounts /__test/* (counters, knobs) for the e2e suite
"""

import asyncio
import hashlib
import json
import os
import secrets
import time
import uuid

import jwt
from fastapi import Depends, FastAPI, HTTPException, Query, Request, WebSocket, WebSocketDisconnect, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel

import counters

SECRET_KEY = "fastapi-demo-not-a-secret"
ALGORITHM = "HS256"
REFRESH_TOKEN_EXPIRE_SECONDS = 7 * 24 * 3600
USERS = {"demo": "demo", "alice": "wonderland"}

settings = {"access_ttl": int(os.environ.get("ACCESS_TOKEN_EXPIRE_SECONDS", "1800"))}
revoked_refresh_tokens: set[str] = set()

app = FastAPI()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="api/auth/token")


class RefreshRequest(BaseModel):
    refresh_token: str


def create_token(subject: str, kind: str, lifetime: int) -> tuple[str, str]:
    now = int(time.time())
    jti = uuid.uuid4().hex
    claims = {"sub": subject, "type": kind, "jti": jti, "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, SECRET_KEY, algorithm=ALGORITHM), jti


def decode_token(token: str, kind: str) -> dict:
    payload = jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM])
    if payload.get("type") != kind:
        raise jwt.InvalidTokenError(f"not an {kind} token")
    return payload


CREDENTIALS_EXCEPTION = HTTPException(
    status_code=status.HTTP_401_UNAUTHORIZED,
    detail="Could not validate credentials",
    headers={"WWW-Authenticate": "Bearer"},
)


async def get_current_user(token: str = Depends(oauth2_scheme)) -> str:
    try:
        payload = decode_token(token, "access")
    except jwt.PyJWTError:
        raise CREDENTIALS_EXCEPTION
    return payload["sub"]


@app.post("/api/auth/token")
async def login(form_data: OAuth2PasswordRequestForm = Depends()):
    password = USERS.get(form_data.username)
    if password is None or not secrets.compare_digest(password, form_data.password):
        raise HTTPException(status_code=400, detail="Incorrect username or password")
    access_token, _ = create_token(form_data.username, "access", settings["access_ttl"])
    refresh_token, jti = create_token(form_data.username, "refresh", REFRESH_TOKEN_EXPIRE_SECONDS)
    counters.refresh_token_issued(jti)
    return {"access_token": access_token, "refresh_token": refresh_token, "token_type": "bearer"}


@app.post("/api/auth/refresh")
async def refresh(body: RefreshRequest):
    counters.count("refreshCalls")
    try:
        payload = decode_token(body.refresh_token, "refresh")
    except jwt.PyJWTError:
        raise CREDENTIALS_EXCEPTION
    counters.refresh_token_presented(payload["jti"])
    if payload["jti"] in revoked_refresh_tokens:
        raise CREDENTIALS_EXCEPTION
    access_token, _ = create_token(payload["sub"], "access", settings["access_ttl"])
    counters.count("refreshSuccesses")
    # No new refresh token: the client keeps the one it sent.
    return {"access_token": access_token, "token_type": "bearer"}


@app.post("/api/auth/logout")
async def logout(body: RefreshRequest):
    counters.count("logoutCalls")
    try:
        revoked_refresh_tokens.add(decode_token(body.refresh_token, "refresh")["jti"])
    except jwt.PyJWTError:
        pass
    return {"ok": True}


@app.get("/api/me")
async def read_me(current_user: str = Depends(get_current_user)):
    return {"username": current_user}


@app.post("/api/echo")
async def echo(request: Request, current_user: str = Depends(get_current_user)):
    body = await request.body()
    return {"user": current_user, "sha256": hashlib.sha256(body).hexdigest(), "length": len(body)}


async def close_at_expiry(websocket: WebSocket, exp: int) -> None:
    await asyncio.sleep(max(0.0, exp - time.time()))
    counters.count("wsClosedAtExpiry")
    await websocket.close(code=4003, reason="Token expired. Please refresh the page to get a new token.")


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket, token: str | None = Query(default=None)):
    # Accept first: a close before accept is an HTTP 403 that browsers report as 1006,
    # while 4003 after accept tells the client why.
    await websocket.accept()
    try:
        payload = decode_token(token or "", "access")
    except jwt.ExpiredSignatureError:
        counters.count("wsRejected")
        await websocket.close(code=4003, reason="Token expired. Please refresh the page to get a new token.")
        return
    except jwt.PyJWTError:
        counters.count("wsRejected")
        await websocket.close(code=4003, reason="Invalid token. Please refresh the page to get a new token.")
        return
    counters.count("wsAccepted")
    expiry = asyncio.create_task(close_at_expiry(websocket, payload["exp"]))
    try:
        while True:
            message = json.loads(await websocket.receive_text())
            counters.chat_message(message.get("text", ""))
            await websocket.send_text(json.dumps({"type": "chat", "from": payload["sub"], "text": message.get("text", "")}))
    except WebSocketDisconnect:
        pass
    finally:
        expiry.cancel()


if os.environ.get("FASTAPI_DEMO_TEST_HOOKS") == "1":
    app.include_router(counters.router(settings))
    app.middleware("http")(counters.count_responses)
