"""Starts the reference server (examples/server, binary promo-server) on a free
loopback port for the interop tests, and points the official Stripe Python
client at it. The binary comes from PROMO_SERVER_BIN (default:
target/debug/promo-server, built by `cargo build -p promo-server`)."""

import os
import pathlib
import subprocess

import pytest
import stripe

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEST_KEY = "sk_test_interop"


@pytest.fixture(scope="session")
def server_url():
    binary = os.environ.get("PROMO_SERVER_BIN", str(ROOT / "target" / "debug" / "promo-server"))
    proc = subprocess.Popen(
        [binary, "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert "listening on " in line, f"unexpected first line from promo-server: {line!r}"
        yield line.rsplit("listening on ", 1)[1].strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(autouse=True)
def client(server_url):
    stripe.api_key = TEST_KEY
    stripe.api_base = server_url
    stripe.enable_telemetry = False
    stripe.max_network_retries = 0
    yield stripe
