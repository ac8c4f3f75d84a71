"""Kafka security settings: checked at start with a message that says what to fix, and turned
into the same TLS/SASL options for every client (aiokafka and Faust)."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import faust
import pytest

from newswire.adapters.kafka.security import client_options, faust_credentials, ssl_context
from newswire.settings import ConfigError, Settings, load_settings


@pytest.fixture(scope="module")
def pem(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A self-signed certificate and its key (openssl), as a CA and as a client certificate."""
    folder = tmp_path_factory.mktemp("pem")
    cert, key = folder / "cert.pem", folder / "key.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=x"]
    subprocess.run(
        ["openssl", *request, "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return {"cert": cert, "key": key}


def test_plaintext_is_the_default_and_adds_nothing() -> None:
    settings = Settings()
    assert client_options(settings) == {"security_protocol": "PLAINTEXT"}
    assert faust_credentials(settings) is None and ssl_context(settings) is None


def test_sasl_ssl_with_scram_gives_every_client_the_same_credentials(pem: dict[str, Path]) -> None:
    settings = Settings(
        security_protocol="sasl_ssl",
        sasl_mechanism="scram_sha_512",
        sasl_username="news",
        sasl_password="s3cret",
        ssl_cafile=pem["cert"],
    )
    options = client_options(settings)
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("news", "s3cret")
    context = options["ssl_context"]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    credentials = faust_credentials(settings)
    assert isinstance(credentials, faust.SASLCredentials)
    assert (
        credentials.protocol.value == "SASL_SSL" and credentials.mechanism.value == "SCRAM-SHA-512"
    )
    assert "s3cret" not in repr(settings)  # the password is a secret


def test_credentials_from_files_as_docker_and_kubernetes_secrets(tmp_path: Path) -> None:
    (tmp_path / "user").write_text("news\n")
    (tmp_path / "password").write_text("from-a-file\n")
    settings = Settings(
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="PLAIN",
        sasl_username_file=tmp_path / "user",
        sasl_password_file=tmp_path / "password",
    )
    options = client_options(settings)
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "news",
        "from-a-file",
    )
    assert "ssl_context" not in options


def test_mutual_tls_loads_the_client_certificate(pem: dict[str, Path]) -> None:
    settings = Settings(
        security_protocol="SSL",
        ssl_cafile=pem["cert"],
        ssl_certfile=pem["cert"],
        ssl_keyfile=pem["key"],
        ssl_check_hostname=False,
    )
    context = ssl_context(settings)
    assert context is not None and not context.check_hostname
    assert context.verify_mode == ssl.CERT_REQUIRED  # the broker's certificate is still checked
    assert isinstance(faust_credentials(settings), faust.SSLCredentials)


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"security_protocol": "SASL_SSL"}, "NEWSWIRE_SASL_USERNAME and NEWSWIRE_SASL_PASSWORD"),
        ({"security_protocol": "SSL", "ssl_cafile": "/nope/ca.pem"}, "NEWSWIRE_SSL_CAFILE"),
        ({"security_protocol": "SSL", "ssl_keyfile": __file__}, "needs NEWSWIRE_SSL_CERTFILE"),
        ({"ssl_cafile": __file__}, "use SSL or SASL_SSL"),
        ({"security_protocol": "KERBEROS"}, "NEWSWIRE_SECURITY_PROTOCOL"),
        ({"sasl_mechanism": "GSSAPI"}, "NEWSWIRE_SASL_MECHANISM"),
    ],
)
def test_a_security_mistake_fails_at_start_saying_what_to_fix(
    env: dict[str, str], says: str
) -> None:
    with pytest.raises(ConfigError, match=says):
        load_settings(**env)


@pytest.mark.parametrize(
    ("protocol", "logged", "says"),
    [
        (
            "SASL_SSL",
            'Unable connect to "h:9093": [Error 58] SaslAuthenticationFailed: Authentication '
            "failed during authentication due to invalid credentials with SASL mechanism",
            "authentication failed for user 'news'",
        ),
        (
            "SASL_SSL",
            'Unable connect to "h:9093": [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify '
            "failed: unable to get local issuer certificate (_ssl.c:1006)",
            "not trusted: set NEWSWIRE_SSL_CAFILE",
        ),
        (
            "SSL",
            'Unable connect to "h:9093": [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify '
            "failed: IP address mismatch, certificate is not valid for '10.0.0.1'.",
            "NEWSWIRE_SSL_CHECK_HOSTNAME",
        ),
        ("SASL_SSL", 'Unable connect to "h:9092": ', "did not complete a TLS handshake"),
        (
            "PLAINTEXT",
            'Unable connect to "h:9093": KafkaConnectionError: Connection at h:9093 closed',
            "wants TLS",
        ),
        (
            "SSL",
            'Unable connect to "h:9094": KafkaConnectionError: Connection at h:9094 closed',
            "client certificate",
        ),
        (
            "PLAINTEXT",
            "Unable connect to \"127.0.0.1:1\": [Errno 111] Connect call failed ('127.0.0.1', 1)",
            "nothing accepts connections",
        ),
        (
            "SASL_SSL",
            'Unable connect to "nosuch.invalid:9092": [Errno -2] Name or service not known',
            "does not resolve",
        ),
    ],
)
def test_a_failed_connection_is_one_line_that_names_the_cause(
    protocol: str, logged: str, says: str
) -> None:
    from newswire.adapters.kafka.security import explain_failure

    settings = Settings(
        security_protocol=protocol,
        sasl_username="news",
        sasl_password="x",
    )
    cause = explain_failure([logged], settings)
    assert cause is not None and says in cause and "\n" not in cause


def test_an_unknown_failure_is_left_to_the_generic_message() -> None:
    from newswire.adapters.kafka.security import explain_failure

    assert explain_failure(["Request timed out after 5000 ms"], Settings()) is None
