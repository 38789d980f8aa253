"""``commentbox erase``: a moderator carries out an erasure request from the shell."""

from __future__ import annotations

import json

import pytest

from tests.test_cli_moderation import published, shell  # noqa: F401 (the fixture is used by name)
from tests.test_erasure import post, rows, sign_in


def test_an_erasure_by_email_asks_first_then_erases_and_says_how_much(client, ctx, blog, shell):  # noqa: F811
    mine = post(client, body="a guest's words")
    theirs = post(client, body="someone else's", author={"name": "Bo", "email": "bo@example.com"})

    code, _, err = shell("erase", "--site", "blog", "--email", "ADA@example.com")
    assert code == 2 and "This erases 1 comment(s)" in err and "--yes" in err
    assert published(client) == [mine["id"], theirs["id"]]

    code, out, _ = shell("erase", "--site", "blog", "--email", "ada@example.com", "--yes", "--json")
    assert code == 0 and json.loads(out)["comments"] == 1
    assert published(client) == [theirs["id"]]  # the server's cached thread knows at once
    assert rows(ctx, "SELECT requested_by, comments FROM erasure") == [("the command line", 1)]


def test_an_erasure_of_a_signed_in_user_ends_their_sessions(client, ctx, blog, shell):  # noqa: F811
    token = sign_in(ctx, "g-ada", "Ada King")
    post(client, body="signed in", token=token)
    user_id = rows(ctx, 'SELECT id FROM "user"')[0][0]
    code, out, _ = shell("erase", "--site", "blog", "--user", str(user_id), "--yes")
    assert code == 0 and "comments\t1" in out and "sessions\t1" in out
    assert rows(ctx, "SELECT count(*) FROM user_session")[0][0] == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--site", "nowhere", "--email", "a@example.com", "--yes"], "There is no site called “nowhere”."),
        (["--site", "blog", "--email", "not an address", "--yes"], "Give the email address"),
        (["--site", "blog", "--user", "0", "--yes"], "A user id is a whole number from 1."),
    ],
)
def test_mistakes_are_one_sentence_and_erase_nothing(client, ctx, blog, shell, argv, message):  # noqa: F811
    post(client, body="stays")
    code, _, err = shell("erase", *argv)
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1
    assert rows(ctx, "SELECT count(*) FROM comment")[0][0] == 1 and rows(
        ctx, "SELECT count(*) FROM erasure"
    ) == [(0,)]
