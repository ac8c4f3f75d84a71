"""How every Kafka client of Newswire connects, from the settings: the protocol, the TLS
context (CA, client certificate for mutual TLS, hostname verification) and SASL credentials.
One place, used by the worker (Faust `broker_credentials`), `replay`, `tail` and topic admin."""

from __future__ import annotations

import ssl
from typing import Any

import faust
from aiokafka.helpers import create_ssl_context

from newswire.settings import Settings


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    if settings.security_protocol not in ("SSL", "SASL_SSL"):
        return None
    context = create_ssl_context(
        cafile=str(settings.ssl_cafile) if settings.ssl_cafile else None,
        certfile=str(settings.ssl_certfile) if settings.ssl_certfile else None,
        keyfile=str(settings.ssl_keyfile) if settings.ssl_keyfile else None,
    )
    context.check_hostname = settings.ssl_check_hostname  # the certificate is always verified
    return context


def client_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for aiokafka's producer, consumer and admin client."""
    options: dict[str, Any] = {"security_protocol": settings.security_protocol}
    context = ssl_context(settings)
    if context is not None:
        options["ssl_context"] = context
    if settings.security_protocol.startswith("SASL"):
        options["sasl_mechanism"] = settings.sasl_mechanism
        options["sasl_plain_username"] = settings.sasl_user()
        options["sasl_plain_password"] = settings.sasl_secret()
    return options


def faust_credentials(settings: Settings) -> Any | None:
    """Faust's `broker_credentials` (None for PLAINTEXT)."""
    context = ssl_context(settings)
    if settings.security_protocol.startswith("SASL"):
        return faust.SASLCredentials(
            username=settings.sasl_user(),
            password=settings.sasl_secret(),
            ssl_context=context,
            mechanism=settings.sasl_mechanism,
        )
    if context is not None:
        return faust.SSLCredentials(context)
    return None


def explain_failure(messages: list[str], settings: Settings) -> str | None:
    """What a failed connection means, from the client's log lines: one line that names the
    cause and the setting to fix, or None when none of the known causes shows."""
    text = " ".join(messages)
    protocol = settings.security_protocol
    if "Name or service not known" in text or "Errno -2]" in text or "Errno -3]" in text:
        return (
            "the host name in NEWSWIRE_BROKER does not resolve (DNS): check the address, "
            "or use one the machine can resolve"
        )
    if "Connect call failed" in text or "Errno 111]" in text:
        return (
            "nothing accepts connections at NEWSWIRE_BROKER: is the broker running there, and "
            "is it the listener's port? (the local one: `newswire broker start`)"
        )
    if "SaslAuthenticationFailed" in text or "Authentication failed" in text:
        return (
            f"authentication failed for user {settings.sasl_user()!r} "
            f"(SASL {settings.sasl_mechanism}): check NEWSWIRE_SASL_USERNAME and "
            "NEWSWIRE_SASL_PASSWORD (or their _FILE), and NEWSWIRE_SASL_MECHANISM"
        )
    if "mismatch" in text and "CERTIFICATE_VERIFY_FAILED" in text:
        return (
            "the broker's certificate does not name the host in NEWSWIRE_BROKER: use the name "
            "it was issued for, or NEWSWIRE_SSL_CHECK_HOSTNAME=false"
        )
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return (
            "the broker's TLS certificate is not trusted: set NEWSWIRE_SSL_CAFILE to the CA "
            "that signed it"
        )
    if "WRONG_VERSION_NUMBER" in text or "record layer failure" in text:
        return (
            f"NEWSWIRE_SECURITY_PROTOCOL is {protocol} but the broker at NEWSWIRE_BROKER does "
            "not speak TLS there: use PLAINTEXT or SASL_PLAINTEXT, or its TLS port"
        )
    tls = protocol in ("SSL", "SASL_SSL")
    handshake = ("EOF occurred", "Connection reset", "UNEXPECTED_EOF")
    if tls and (
        any(m.rstrip().endswith('":') for m in messages) or any(h in text for h in handshake)
    ):
        return (
            f"NEWSWIRE_SECURITY_PROTOCOL is {protocol} but the broker at NEWSWIRE_BROKER did not "
            "complete a TLS handshake: is that its TLS port? (a plaintext listener: PLAINTEXT or "
            "SASL_PLAINTEXT)"
        )
    if tls and "closed" in text:
        return (
            "the broker closed the TLS connection: it may want a client certificate (mutual "
            "TLS: NEWSWIRE_SSL_CERTFILE and NEWSWIRE_SSL_KEYFILE) or SASL (SASL_SSL)"
            if protocol == "SSL"
            else "the broker closed the SASL_SSL connection: check NEWSWIRE_SASL_MECHANISM"
        )
    if protocol in ("PLAINTEXT", "SASL_PLAINTEXT") and "closed" in text:
        return (
            f"the broker closed a {protocol} connection: its listener probably wants TLS "
            "(NEWSWIRE_SECURITY_PROTOCOL=SSL or SASL_SSL) or SASL"
        )
    return None
