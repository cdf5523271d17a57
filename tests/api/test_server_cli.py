"""The `users` commands (``reviewer users add|list|revoke``) through click's runner."""
from __future__ import annotations

from api_testkit import env, fresh, reviewer_instance  # noqa: F401  (fixtures)

from click.testing import CliRunner

from reviewer.server_cli import commands, users
from reviewer.store import Store, hash_token


def test_commands_exported():
    assert {c.name for c in commands} >= {"serve", "users"}


def test_users_add_list_revoke(tmp_path):
    db = str(tmp_path / "u.db")
    run = CliRunner()
    r = run.invoke(users, ["add", "alice", "--role", "prosecutor", "--area", "london", "--db", db])
    assert r.exit_code == 0, r.output
    token = r.output.strip().splitlines()[-1]
    assert len(token) >= 40 and " " not in token
    assert Store(db).user_for_token(token).name == "alice"
    assert token not in (tmp_path / "u.db").read_bytes().decode("latin-1")
    assert Store(db).db.execute("SELECT token_hash FROM users").fetchone()[0] == hash_token(token)
    r = run.invoke(users, ["list", "--db", db])
    assert "alice\tprosecutor\tlondon\tactive" in r.output and token not in r.output
    r = run.invoke(users, ["add", "alice", "--role", "prosecutor", "--area", "london", "--db", db])
    assert r.exit_code == 2
    r = run.invoke(users, ["add", "bob", "--role", "boss", "--area", "london", "--db", db])
    assert r.exit_code == 2
    assert run.invoke(users, ["revoke", "alice", "--db", db]).exit_code == 0
    assert Store(db).user_for_token(token) is None
    assert "revoked" in run.invoke(users, ["list", "--db", db]).output
    assert run.invoke(users, ["revoke", "alice", "--db", db]).exit_code == 2
