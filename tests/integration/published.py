"""What the project's tests ask of the stack and lab_runner does not: its services as compose
lists them, and a service's port on this host."""

from __future__ import annotations

from lab_runner.stack import StackError, compose, published


def services() -> list[str]:
    """The service names defined in compose.yaml."""
    return compose("config", "--services", timeout=30).stdout.split()


def port(service: str, container_port: int | None = None) -> int:
    """The host port of SERVICE's only published port, or of CONTAINER_PORT."""
    ports = published(service)
    if container_port is None and len(ports) == 1:
        return next(iter(ports.values()))[1]
    if container_port in ports:
        return ports[container_port][1]
    which = f"port {container_port}" if container_port else "port"
    raise StackError(f"service '{service}' publishes no {which} on this host: see compose.yaml's ports")
