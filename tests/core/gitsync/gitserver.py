"""A git repository served over HTTPS on loopback by dulwich's own smart-HTTP server (dulwich.web), with a
self-signed certificate made for the test and an optional Basic-auth gate that records what it was sent."""

from __future__ import annotations

import base64
import datetime
import ipaddress
import ssl
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from dulwich import porcelain
from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo
from dulwich.server import BackendRepo, DictBackend
from dulwich.web import WSGIRequestHandlerLogger, WSGIServerLogger, make_server, make_wsgi_chain


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def commit_files(repo_path: Path, files: dict[str, str | bytes | None], message: str, branch: str = "main") -> str:
    """Write (or delete, for None) files on `branch` and commit them; returns the commit id."""
    repo = Repo(str(repo_path))
    with repo:
        ref = Ref(f"refs/heads/{branch}".encode())
        if ref in repo.refs:
            porcelain.checkout(repo, branch, force=True)
        elif repo.refs.as_dict():
            porcelain.checkout(repo, repo.head().decode(), new_branch=branch, force=True)
        for rel, content in files.items():
            path = repo_path / rel
            if content is None:
                porcelain.remove(repo, [str(path)])
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode() if isinstance(content, str) else content)
            porcelain.add(repo, [str(path)])
        sha = porcelain.commit(repo, message=message.encode(), author=b"Docs <docs@example.com>",
                               committer=b"Docs <docs@example.com>")
        if ref not in repo.refs:
            repo.refs[ref] = ObjectID(sha)
            repo.refs.set_symbolic_ref(Ref(b"HEAD"), ref)
        return sha.decode()


def new_repository(path: Path) -> Path:
    path.mkdir(parents=True)
    porcelain.init(str(path))
    repo = Repo(str(path))
    with repo:
        repo.refs.set_symbolic_ref(Ref(b"HEAD"), Ref(b"refs/heads/main"))
    return path


@dataclass
class GitServer:
    url: str
    ca_bundle: Path
    seen_authorization: list[str | None] = field(default_factory=list)
    requests: int = 0


def _gate(app: Callable[..., Iterable[bytes]], server: GitServer, credentials: tuple[str, str] | None) -> Any:
    expected = None
    if credentials is not None:
        expected = "Basic " + base64.b64encode(f"{credentials[0]}:{credentials[1]}".encode()).decode()

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        server.requests += 1
        given = environ.get("HTTP_AUTHORIZATION")
        server.seen_authorization.append(given)
        if expected is not None and given != expected:
            start_response("401 Unauthorized", [("WWW-Authenticate", 'Basic realm="git"'), ("Content-Length", "0")])
            return [b""]
        return app(environ, start_response)

    return wrapped


def serve(repo_path: Path, tmp: Path, credentials: tuple[str, str] | None = None) -> Iterator[GitServer]:
    cert, key = self_signed(tmp)
    repos: dict[str, BackendRepo] = {"/": Repo(str(repo_path))}
    backend = DictBackend(repos)
    holder = GitServer(url="", ca_bundle=cert)
    app = _gate(make_wsgi_chain(backend), holder, credentials)
    httpd = make_server("127.0.0.1", 0, app, handler_class=WSGIRequestHandlerLogger, server_class=WSGIServerLogger)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    holder.url = f"https://127.0.0.1:{httpd.server_address[1]}/"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield holder
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
