import hashlib

from rest_framework.decorators import api_view
from rest_framework.response import Response


@api_view(["GET"])
def me(request):
    return Response({"id": request.user.id, "username": request.user.username})


@api_view(["POST", "PUT", "PATCH"])
def echo(request):
    """What the client sent, as a digest: proves a replayed body arrived byte-identical."""
    body = request.body
    return Response({"user": request.user.username, "sha256": hashlib.sha256(body).hexdigest(), "length": len(body)})
