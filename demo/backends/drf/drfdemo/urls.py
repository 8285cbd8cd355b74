from django.conf import settings
from django.urls import path
from rest_framework_simplejwt.views import TokenBlacklistView, TokenObtainPairView, TokenRefreshView

from . import views

urlpatterns = [
    # The three views SimpleJWT's documentation tells you to mount.
    path("api/token/", TokenObtainPairView.as_view(), name="token_obtain_pair"),
    path("api/token/refresh/", TokenRefreshView.as_view(), name="token_refresh"),
    path("api/token/blacklist/", TokenBlacklistView.as_view(), name="token_blacklist"),
    path("api/me/", views.me, name="me"),
    path("api/echo/", views.echo, name="echo"),
]

if settings.TEST_HOOKS:
    from . import counters

    urlpatterns += [
        path("__test/counters", counters.counters_view),
        path("__test/access-ttl", counters.access_ttl_view),
    ]
