"""Helpers for the anti-spam tests: training the global model from the shared corpus with
the CLI, and turning a corpus message into wire form under a subject of the test's own."""

from conftest import ROOT

CORPUS = ROOT.parent / "shared" / "corpus"


def corpus(kind):
    return sorted((CORPUS / kind).iterdir())


def train_from_corpus(server, tmp_path, count):
    """Trains the global model on the first `count` spam and ham of the corpus."""
    for kind in ("spam", "ham"):
        folder = tmp_path / f"train-{kind}"
        folder.mkdir()
        for path in corpus(kind)[:count]:
            (folder / path.name).write_bytes(path.read_bytes())
    server.cli(
        "spam", "train", "--spam", str(tmp_path / "train-spam"), "--ham", str(tmp_path / "train-ham")
    )


def wire(path, subject=None, to=None):
    """A corpus message with CRLF line ends and its mbox From line dropped; with `subject`
    (and with `to`) its Subject (and To) replaced, so a test can find it over IMAP."""
    raw = path.read_bytes()
    if raw.startswith(b"From "):
        raw = raw.split(b"\n", 1)[1]
    head, _, body = raw.partition(b"\n\n")
    replaced = tuple(name for name, value in ((b"subject:", subject), (b"to:", to)) if value)
    lines, dropping = [], False
    for line in head.split(b"\n"):
        # A folded field's continuation lines go with it.
        if not line[:1].isspace():
            dropping = line.lower().startswith(replaced)
        if not dropping:
            lines.append(line)
    if subject:
        lines.append(b"Subject: " + subject.encode())
    if to:
        lines.append(b"To: " + to.encode())
    head = b"\n".join(lines)
    return (head + b"\n\n" + body).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def held_out(kind, start, count):
    """`count` small corpus messages of `kind` from index `start` on, never trained."""
    return [p for p in corpus(kind)[start:] if p.stat().st_size < 20000][:count]
