"""Uploaded import files between preview and confirmation: instance/imports/<random id>.

Each upload is bound to the user who made it (stored beside the file, and its id kept
in that user's session); uploads older than IMPORT_UPLOAD_TTL seconds are removed.
"""

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, session

DEFAULT_TTL = 2 * 60 * 60
SESSION_KEY = "imports"
MAX_IN_SESSION = 10
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


@dataclass
class Upload:
    token: str
    user_id: int
    kind: str
    filename: str
    school: str
    created: float
    path: Path

    def read(self) -> bytes:
        return self.path.read_bytes()


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _ttl() -> int:
    return int(current_app.config.get("IMPORT_UPLOAD_TTL", DEFAULT_TTL))


def remove_expired(now: float | None = None) -> None:
    now = now if now is not None else time.time()
    for meta in _folder().glob("*.json"):
        try:
            created = json.loads(meta.read_text()).get("created", 0)
        except (OSError, ValueError):
            created = 0
        if now - created > _ttl():
            meta.with_suffix(".upload").unlink(missing_ok=True)
            meta.unlink(missing_ok=True)


def save(data: bytes, filename: str, kind: str, school: str, user_id: int) -> Upload:
    remove_expired()
    token = secrets.token_urlsafe(24)
    folder = _folder()
    path = folder / f"{token}.upload"
    path.write_bytes(data)
    meta = {
        "user_id": user_id,
        "kind": kind,
        "filename": filename,
        "school": school,
        "created": time.time(),
    }
    (folder / f"{token}.json").write_text(json.dumps(meta))
    tokens = [t for t in session.get(SESSION_KEY, []) if t != token][-(MAX_IN_SESSION - 1) :]
    session[SESSION_KEY] = [*tokens, token]
    return Upload(token=token, path=path, **meta)


def load(token: str, user_id: int) -> Upload | None:
    """The upload if it exists, is not expired and belongs to this user and session."""
    if not _TOKEN.fullmatch(token or "") or token not in session.get(SESSION_KEY, []):
        return None
    folder = _folder()
    meta_path, path = folder / f"{token}.json", folder / f"{token}.upload"
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != user_id or not path.exists():
        return None
    if time.time() - meta.get("created", 0) > _ttl():
        discard(token)
        return None
    return Upload(token=token, path=path, **meta)


def discard(token: str) -> None:
    if not _TOKEN.fullmatch(token or ""):
        return
    folder = _folder()
    (folder / f"{token}.upload").unlink(missing_ok=True)
    (folder / f"{token}.json").unlink(missing_ok=True)
    session[SESSION_KEY] = [t for t in session.get(SESSION_KEY, []) if t != token]
