"""The one TLS helper (``ingest.tls``) every source client uses: a CA file is checked before
any connection (missing, a directory, unreadable or without a PEM certificate: one line
naming the file), ``--insecure`` warns, and the CLI shows each problem as one error line with
exit 2 for vCenter, NSX and AD alike, never as "cannot reach ..."."""

from __future__ import annotations

import logging
import ssl
import subprocess
from pathlib import Path

import pytest

from ingest.tls import TlsError, check_ca_file, client_context
from tests.conftest import run_cli
from tests.support.dc41 import self_signed_cert

UNREACHABLE = "127.0.0.1:1"  # nothing listens on port 1: only a check before connecting passes


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real PEM certificate."""
    path, _ = self_signed_cert(tmp_path_factory.mktemp("tls"), "127.0.0.1", "ca")
    return path


def _bad_files(directory: Path) -> dict[str, tuple[Path, str]]:
    """Bad CA files and the words their error must hold."""
    not_pem = directory / "not-pem.crt"
    not_pem.write_bytes(b"\x30\x82\x01\x0a binary DER-looking bytes")
    broken = directory / "broken.pem"
    broken.write_text("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n")
    return {
        "missing": (directory / "missing.pem", "does not exist"),
        "directory": (directory, "is not a readable file"),
        "not PEM": (not_pem, "holds no PEM certificate"),
        "broken PEM": (broken, "is not a usable CA file"),
    }


def test_check_ca_file_accepts_a_pem_certificate(cert: Path) -> None:
    assert check_ca_file(cert) == cert
    context = client_context("server.example.test", cert)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_bad_ca_files_are_one_line_naming_the_file(tmp_path: Path) -> None:
    for case, (path, words) in _bad_files(tmp_path).items():
        with pytest.raises(TlsError) as raised:
            client_context("server.example.test", path)
        message = str(raised.value)
        assert str(path) in message and words in message, (case, message)
        assert "\n" not in message, case


def test_insecure_skips_verification_and_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="ingest.tls"):
        context = client_context("vc.example.test", tmp_path / "ignored.pem", insecure=True)
    assert context.verify_mode == ssl.CERT_NONE and not context.check_hostname
    assert "TLS verification of vc.example.test is OFF (--insecure)" in caplog.text


def _one_error_line(proc: subprocess.CompletedProcess[str], path: Path, words: str) -> None:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    message = " ".join(proc.stderr.split())
    assert f"--ca-file {path}" in message and words in message, message
    assert "cannot reach" not in message and "Traceback" not in proc.stderr
    assert "s3cret-pw" not in proc.stdout + proc.stderr


@pytest.mark.parametrize("source", ["vcenter", "nsx", "ad"])
def test_cli_names_a_bad_ca_file_before_connecting(source: str, tmp_path: Path, cert: Path) -> None:
    env = {"TLS_TEST_PW": "s3cret-pw"}
    where = {
        "vcenter": ["--server", UNREACHABLE],
        "nsx": ["--url", f"https://{UNREACHABLE}"],
        "ad": ["--server", f"ldaps://{UNREACHABLE}"],
    }[source]
    for path, words in (_bad_files(tmp_path)[case] for case in ("missing", "not PEM")):
        proc = run_cli("collect", source, *where, "--user", "auditor", "--password-env",
                       "TLS_TEST_PW", "--ca-file", str(path), "--out", str(tmp_path / "s.jsonl"),
                       env=env)  # fmt: skip
        _one_error_line(proc, path, words)
        assert not (tmp_path / "s.jsonl").exists()
