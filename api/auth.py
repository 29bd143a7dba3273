"""Bearer tokens: who is calling the API.

Only the Authorization header authenticates an API request; a session cookie does not
(the API is CSRF-exempt, so a cookie must never be enough). The token's user becomes
the current user for this request only (no session, no cookie), so scoping and the
audit log work as in the web UI.
"""

import datetime as dt

import sqlalchemy as sa
from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import AnonymousUserMixin
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.model_base import utcnow
from app.users import ApiToken, User

# last_used_at is written at most this often per token (not on every request).
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return None
    return token


def rate_limit_key() -> str:
    """Per token (by its hash); requests without a token are counted per address."""
    token = bearer_token()
    return f"token:{ApiToken.hash(token)}" if token else f"ip:{get_remote_address()}"


def rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def authenticate() -> User | None:
    """The active user of a valid, unrevoked bearer token; notes when it was used."""
    token = bearer_token()
    if token is None:
        return None
    api_token = db.session.scalar(
        sa.select(ApiToken)
        # The user's schools are not loaded here (scoping asks the database with a
        # subquery); a department user has none, a school admin's would cost a query.
        .options(joinedload(ApiToken.user).lazyload(User.schools))
        .where(ApiToken.token_hash == ApiToken.hash(token), ApiToken.revoked_at.is_(None))
    )
    if api_token is None or not api_token.user.active:
        return None
    now = utcnow()
    if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_PRECISION:
        # A plain UPDATE: no version bump, no audit entry, and at most once a minute.
        db.session.execute(
            sa.update(ApiToken).where(ApiToken.id == api_token.id).values(last_used_at=now)
        )
        db.session.commit()
    return api_token.user


def set_request_user(user: User | None) -> None:
    """Make the user current for this request only (Flask-Login reads g._login_user)."""
    g._login_user = user if user is not None else AnonymousUserMixin()
