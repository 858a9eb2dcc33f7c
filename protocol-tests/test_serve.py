"""The daemon: first start on the embedded default, TLS on the listeners, reload and shutdown."""

import os
import pathlib
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time

import pytest

from conftest import BIN, wait_for_port

UNPRIVILEGED = {"imap": 1143, "imaps": 1993, "pop3": 1110, "pop3s": 1995, "smtp": 2525,
                "submission": 1587, "submissions": 1465}


@pytest.fixture
def open_dir():
    """A directory an unprivileged user may write: pytest's own tmp_path is private to root."""
    path = pathlib.Path(tempfile.mkdtemp(prefix="postamt-test-"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def run_embedded_default(data_dir: pathlib.Path, cwd: pathlib.Path):
    """Starts `postamt serve` with no configuration file, as an unprivileged user when the
    tests run as root, so the unprivileged default ports apply."""
    env = dict(os.environ, POSTAMT_DATA=str(data_dir))
    env.pop("POSTAMT_CONFIG", None)
    command = [BIN, "serve"]
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def read_until(process, needle, timeout=20.0):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if needle in line:
            return "".join(seen)
    raise AssertionError(f"{needle!r} not printed; got:\n{''.join(seen)}")


def stop(process):
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    return process.returncode


def test_first_start_on_the_embedded_default_prints_the_demo_account(open_dir):
    data_dir = open_dir / "postamt-data"
    process = run_embedded_default(data_dir, open_dir)
    try:
        banner = read_until(process, "1993")
        wait_for_port(UNPRIVILEGED["imaps"], process)
    finally:
        assert stop(process) == 0
    assert "demo@" in banner
    assert "password" in banner.lower()
    assert (data_dir / "certs" / "self-signed.crt").exists()
    assert (data_dir / "postamt.db").exists()


def test_second_start_keeps_the_demo_password_secret(open_dir):
    data_dir = open_dir / "postamt-data"
    first = run_embedded_default(data_dir, open_dir)
    try:
        read_until(first, "1993")
    finally:
        stop(first)
    second = run_embedded_default(data_dir, open_dir)
    try:
        wait_for_port(UNPRIVILEGED["imaps"], second)
    finally:
        stop(second)
    output = second.stdout.read()
    assert "password:" not in output.lower()


def tls_handshake(instance, port, **context_options):
    context = instance.tls_context()
    for key, value in context_options.items():
        setattr(context, key, value)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            return tls.version(), tls.recv(200)


def test_implicit_tls_speaks_tls_1_3(server):
    version, greeting = tls_handshake(server, server.ports["imaps"])
    assert version == "TLSv1.3"
    assert greeting.startswith(b"* ")


def test_implicit_tls_speaks_tls_1_2(server):
    version, _ = tls_handshake(
        server, server.ports["pop3s"], maximum_version=ssl.TLSVersion.TLSv1_2
    )
    assert version == "TLSv1.2"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_tls_1_1_is_refused_by_the_server(server):
    context = server.tls_context()
    context.minimum_version = ssl.TLSVersion.TLSv1
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with pytest.raises(ssl.SSLError) as refused:
        with socket.create_connection(("127.0.0.1", server.ports["submissions"]), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="localhost"):
                pass
    # An alert from the server, not the client declining to offer TLS 1.1
    # (which OpenSSL reports as NO_PROTOCOLS_AVAILABLE).
    assert "ALERT" in str(refused.value)


def test_generated_certificate_names_the_host_and_localhost(server):
    context = server.tls_context()
    for name in ("localhost", "mail.example.test"):
        with socket.create_connection(("127.0.0.1", server.ports["imaps"]), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname=name) as tls:
                assert tls.version()


def make_certificate(directory: pathlib.Path, name: str):
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "2", "-subj", f"/CN={name}", "-addext",
         "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


def served_certificate(port):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw) as tls:
            return tls.getpeercert(binary_form=True)


def test_sighup_serves_a_renewed_certificate(instance, tmp_path):
    cert, key = make_certificate(tmp_path, "first")
    instance.config.write_text(
        instance.config.read_text()
        + f'\n[tls]\ncertificate = "{tmp_path}/live.pem"\nprivate_key = "{tmp_path}/live.key"\n'
    )
    shutil.copy(cert, tmp_path / "live.pem")
    shutil.copy(key, tmp_path / "live.key")
    instance.start()
    before = served_certificate(instance.ports["imaps"])

    new_cert, new_key = make_certificate(tmp_path, "second")
    shutil.copy(new_cert, tmp_path / "live.pem")
    shutil.copy(new_key, tmp_path / "live.key")
    instance.signal(signal.SIGHUP)

    deadline = time.monotonic() + 10
    after = before
    while after == before and time.monotonic() < deadline:
        time.sleep(0.1)
        after = served_certificate(instance.ports["imaps"])
    assert after != before
    assert instance.process.poll() is None


def test_sighup_with_a_broken_config_keeps_serving(server):
    server.config.write_text(server.config.read_text() + "\n[limits]\nmax_connections = 0\n")
    server.signal(signal.SIGHUP)
    time.sleep(0.5)
    assert server.process.poll() is None
    version, _ = tls_handshake(server, server.ports["imaps"])
    assert version
    assert "limits.max_connections" in server.log_text()


def test_sigterm_stops_the_daemon_cleanly(server):
    started = time.monotonic()
    assert server.stop() == 0
    assert time.monotonic() - started < 15


def test_a_port_in_use_gives_one_error_naming_the_address(instance):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", instance.ports["imaps"]))
        blocker.listen()
        result = subprocess.run([BIN, "serve", "--config", str(instance.config)],
                                capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert f"127.0.0.1:{instance.ports['imaps']}" in result.stderr
