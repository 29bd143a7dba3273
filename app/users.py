"""Users, their roles, the schools a school admin looks after, and API tokens."""

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.codes import ROLES
from app.extensions import db
from app.model_base import NEVER_REUSE_IDS, Versioned, code_check, utcnow
from schools.models import School

user_schools = sa.Table(
    "user_schools",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("school_id", sa.ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True),
)

# Roles that see every school.
CITY_WIDE_ROLES = ("department", "admin")


class User(UserMixin, Versioned, db.Model):
    __tablename__ = "users"
    __table_args__ = (code_check("role", ROLES), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(16))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    # Part of every session's user id: bumping it ends all sessions signed in before.
    session_version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")

    schools: Mapped[list[School]] = relationship(
        secondary=user_schools, order_by=School.name, lazy="selectin"
    )
    tokens: Mapped[list["ApiToken"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    @staticmethod
    def normalize_email(email: str) -> str:
        return email.strip().lower()

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session: "<id>:<session_version>"."""
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Every session signed in so far stops working (checked by the user loader)."""
        self.session_version = (self.session_version or 1) + 1

    def revoke_tokens(self) -> None:
        """Revoke every API token the user has; a revoked token never works again."""
        now = utcnow()
        for token in self.tokens:
            if token.revoked_at is None:
                token.revoked_at = now

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def sees_all_schools(self) -> bool:
        return self.role in CITY_WIDE_ROLES

    @property
    def is_department(self) -> bool:
        """Department or admin: may change schools, school years, exports, alert settings."""
        return self.role in CITY_WIDE_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class ApiToken(db.Model):
    """A bearer token for the API; only its SHA-256 hash is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)

    user: Mapped[User] = relationship(back_populates="tokens")

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple["ApiToken", str]:
        """Make a token for the user; returns the row and the plain token (shown once)."""
        plain = "gs_" + secrets.token_urlsafe(32)
        token = cls(user=user, name=name, token_hash=cls.hash(plain))
        db.session.add(token)
        return token, plain
