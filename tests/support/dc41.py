"""A small Samba AD DC on 127.0.0.41 with a certificate of the test's own, and self-signed
certificates for TLS tests.

``tests.support.samba_ad`` serves LDAPS with a certificate signed by the shared test CA. The
tests of secrets, TLS verification and odd directory data run on 127.0.0.41 (no other test
uses it) and give Samba a self-signed certificate naming that address instead
(``extra_options`` come last on Samba's command line and win), which nothing trusts unless
given it as a CA file::

    cert, key = self_signed_cert(tmp / "tls", "127.0.0.41")
    with dc41(cert, key) as dc:
        ...  # ldaps://127.0.0.41, verified with --ca-file cert
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.samba_ad import DirectorySpec, Manifest, SambaDC, directory_template

ADDRESS = "127.0.0.41"
SMALL_SPEC = DirectorySpec(
    users=10, groups=4, nesting_depth=2, big_group_members=0, computers=1, disabled_every=5
)


def self_signed_cert(directory: Path, address: str, name: str = "server") -> tuple[Path, Path]:
    """A self-signed certificate (its own CA) for ``address``: ``(cert.pem, key.pem)``.

    Nothing trusts it until a client is given the certificate itself as its CA file.
    """
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / f"{name}-cert.pem", directory / f"{name}-key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", f"/CN=authmap self-signed {address}",
         "-addext", f"subjectAltName=IP:{address}",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign",
         "-addext", "extendedKeyUsage=serverAuth"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    key.chmod(0o600)  # Samba refuses a key others can read
    return cert, key


def small_directory() -> tuple[Path, Manifest]:
    """The cached template of :data:`SMALL_SPEC` (10 users, 4 groups) and its manifest."""
    return directory_template(SMALL_SPEC, name="authmap-small")


@contextmanager
def dc41(cert: Path, key: Path, template: Path | None = None) -> Iterator[SambaDC]:
    """A running :class:`SambaDC` on :data:`ADDRESS` serving LDAPS with ``cert``/``key``."""
    template = template or small_directory()[0]
    options = [f"tls keyfile={key}", f"tls certfile={cert}", "tls cafile="]
    dc = SambaDC(template, ADDRESS, extra_options=options).start()
    try:
        yield dc
    finally:
        dc.stop()
