"""The token never shows: not in output, `-v` debug logs (HTTP wire included), error
messages, `--json`, the lock, the journal or any file. And a push notifies nobody."""

from __future__ import annotations

import io
import logging
import re
import traceback

import pytest

from syncer.errors import PhasesyncError
from syncer.redact import RedactingFilter, install_redaction
from tests.contract.conftest import Harness
from tests.e2e.conftest import Loopback

SECRET = "ghp_S3cr3tTOKENthatMUSTneverLEAK0042"
WRONG = "glpat-WRONGtokenALSOsecret9911"
P2 = "docs/phases/phase-2-authentication.md"


def _scan(lb: Loopback, *texts: str) -> list[str]:
    """Where a token shows: in `texts` or in any file of the work tree."""
    found = [f"output {i}" for i, t in enumerate(texts) if SECRET in t or WRONG in t]
    for path in lb.cli.root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if SECRET.encode() in data or WRONG.encode() in data:
                found.append(str(path))
    return found


@pytest.mark.e2e
@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_no_command_shows_the_token_even_in_debug_output(lb: Loopback, kind: str) -> None:
    lb.emulator.tokens[SECRET] = "write"  # type: ignore[attr-defined]
    lb.cli.env["PHASESYNC_TOKEN"] = SECRET
    runs = [
        ("validate", "-vv"),
        ("validate", "-vv", "--json"),
        ("status", "-vv", "--json"),
        ("plan", "-vv"),
        ("plan", "-v", "--json"),
        ("push", "-vv", "--json"),
        ("pull", "-vv"),
        ("sync", "-vv", "--json"),
        ("push", "-vv"),  # nothing left to do: the idle path
    ]
    outputs: list[str] = []
    for args in runs:
        if args[:2] == ("pull", "-vv"):
            lb.harness.close(1)  # give pull something to write into a document
        proc = lb.cli(*args, check=None)
        assert proc.returncode in (0, 2), (args, proc.stderr[-2000:])
        outputs += [proc.stdout, proc.stderr]
    # A run the forge refuses, with a second distinctive token.
    lb.cli.env["PHASESYNC_TOKEN"] = WRONG
    refused = lb.cli("sync", "-vv", check=1)
    outputs += [refused.stdout, refused.stderr]
    assert "401" in refused.stderr and "Traceback" not in refused.stderr

    debug = "\n".join(outputs)
    # -vv really logged the HTTP exchanges, headers included: there was something to leak;
    # -v logged phasesync's own decisions.
    assert "DEBUG syncer.sync.engine: listing" in debug
    assert "DEBUG urllib3.connectionpool" in debug
    assert "DEBUG http.client: send:" in debug and "DEBUG http.client: header:" in debug
    header = "Authorization: ***" if kind == "github" else "PRIVATE-TOKEN: ***"
    assert header in debug
    if kind == "github":
        assert "DEBUG github.Requester" in debug
    assert _scan(lb, *outputs) == []


@pytest.mark.parametrize(
    "status,echo",
    [(401, "Bad credentials"), (403, "Forbidden"), (404, "Not Found"), (422, "Validation")],
)
def test_error_texts_never_carry_the_token_even_when_the_server_echoes_it(
    harness: Harness, status: int, echo: str
) -> None:
    """A proxy or a misbehaving server may echo the request's token in its error body."""
    token = harness.forge._token  # type: ignore[attr-defined]
    assert token
    body = {"message": f"{echo}: token {token} rejected", "error": f"{echo} {token}"}
    if status == 401:
        harness.emulator.fail_next(status=status, body=body)  # the first listing
    else:  # the first issue creation (a label's 422 means "exists already", and is fine)
        harness.emulator.fail_next(status=status, body=body, method="POST", path_regex=r"/issues$")
    error: PhasesyncError | None
    try:
        result = harness.run("push")
        assert result.outcome is not None
        error = result.outcome.error
    except PhasesyncError as exc:  # a listing failure stops the run before it starts
        error = exc
    assert error is not None
    texts = [str(error), repr(error), error.describe(), "".join(traceback.format_exception(error))]
    assert all(token not in t for t in texts), texts
    assert str(status) in error.describe()


def test_the_redacting_filter_masks_the_token_and_auth_headers_in_every_record() -> None:
    flt = RedactingFilter([SECRET])
    messages = [
        ("send: b'GET / HTTP/1.1\\r\\nAuthorization: token %s\\r\\n'", (SECRET,)),
        ("header: PRIVATE-TOKEN: %s", (WRONG,)),
        ("%s", ({"Authorization": f"Bearer {WRONG}", "private-token": WRONG},)),
        ("the token is " + SECRET, ()),
    ]
    for msg, args in messages:
        record = logging.LogRecord("x", logging.DEBUG, __file__, 1, msg, args, None)
        assert flt.filter(record)
        text = record.getMessage()
        assert SECRET not in text and WRONG not in text, text
    try:
        raise RuntimeError(f"failed with {SECRET}")
    except RuntimeError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    flt.filter(record)
    shown = logging.Formatter().format(record)
    assert "boom" in shown and SECRET not in shown


def test_a_library_handler_of_its_own_shows_no_token() -> None:
    """PyGithub gives the `github` logger a StreamHandler of its own when imported: its
    records never pass the root's handlers, so redaction must act when a record is made."""
    stream = io.StringIO()
    own = logging.StreamHandler(stream)  # as a library would add it, without our filter
    logger = logging.getLogger("github.Requester")
    logger.addHandler(own)
    try:
        install_redaction([SECRET])
        logger.warning("sent %s", {"Authorization": SECRET})
    finally:
        logger.removeHandler(own)
    assert "sent" in stream.getvalue() and SECRET not in stream.getvalue()


@pytest.mark.e2e
@pytest.mark.parametrize("kind", ["github"])
@pytest.mark.parametrize("mentions", [None, "keep"])
def test_mentions_are_neutralised_unless_kept(
    lb: Loopback, kind: str, mentions: str | None
) -> None:
    path = lb.cli.root / P2
    data = path.read_bytes()
    old = b"receive a session cookie."
    assert data.count(old) == 1
    path.write_bytes(data.replace(old, b"receive a session cookie; ask @alice or @org/team."))
    if mentions is not None:
        (lb.cli.root / "phasesync.toml").write_text(f'mentions = "{mentions}"\n')
    lb.cli("push")
    body = next(i.body for i in lb.harness.issues() if i.title == "Password sign-in")
    bare = re.findall(r"(?<![`\w])@(alice|org/team)\b", body)
    if mentions == "keep":
        assert bare == ["alice", "org/team"]
    else:
        assert bare == [] and "`@alice`" in body
