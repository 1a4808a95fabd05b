"""The suite itself runs offline: outside connections fail, loopback works, the model loads."""

from __future__ import annotations

import os
import socket

import pytest

from tests.conftest import NetworkBlockedError


def test_outside_network_is_blocked() -> None:
    with pytest.raises(NetworkBlockedError):
        socket.create_connection(("93.184.216.34", 80), timeout=1)


def test_loopback_is_allowed() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=1)
    client.close()
    server.close()


def test_hub_is_offline_and_model_loads_from_the_wheel() -> None:
    from kg.embed import get_embedder

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    embedder = get_embedder("minilm")
    vectors = embedder.embed(["primary care", "general practice", "car parking"])
    assert vectors.shape == (3, 384)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])
