"""Lab 9 checks: this run's experiments showed what stream and datagram sockets promise, and the
AF_VSOCK report agrees with the same probe run in the workbench now."""

import re

# The exercise's AF_VSOCK probe, run again in the workbench: "ok" or the errno's name.
PROBE = (
    "import errno, socket\n"
    "try:\n"
    "    socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM).close()\n"
    "    print('ok')\n"
    "except OSError as err:\n"
    "    print(errno.errorcode[err.errno])\n"
)


def test_a_stream_lost_the_message_boundaries(exercise_output, token):
    merged = f"b'one-{token}|two-{token}|three-{token}|'"
    assert f"SOCK_STREAM: 3 send() calls, then recv() -> {merged}" in exercise_output, (
        "one recv() on the stream socketpair did not return all three messages as one run of bytes"
    )


def test_datagrams_kept_the_message_boundaries(exercise_output, token):
    for n, word in enumerate(["one", "two", "three"], 1):
        line = f"SOCK_DGRAM: recv() #{n} -> b'{word}-{token}|'"
        assert line in exercise_output, f"missing: {line}"


def test_a_datagram_over_the_limit_failed_while_a_stream_carried_it(exercise_output, token):
    start = f"starting b'{token}"
    assert f"UDP: 65507 bytes sent, one datagram of 65507 bytes received, {start}" in exercise_output, (
        "the largest UDP datagram (65507 bytes, starting with the token) was not received whole"
    )
    assert "UDP: 65508 bytes: sendto() failed: EMSGSIZE" in exercise_output, (
        "65508 bytes did not fail EMSGSIZE"
    )
    assert f"SOCK_STREAM: 70000 bytes sent, 70000 bytes received, {start}" in exercise_output, (
        "the stream did not carry 70000 bytes (starting with the token)"
    )


def test_udp_to_nobody_succeeded_while_tcp_was_refused(flask, exercise_output, token):
    sent = len(f"anyone there? {token}")
    assert f"UDP to flask:5001: sendto() returned {sent}: no error" in exercise_output, (
        "sendto() of 'anyone there? <token>' to flask:5001 did not report its byte count"
    )
    assert "TCP to flask:5001: connect() failed: ECONNREFUSED" in exercise_output, "connect() was not refused"
    listening = flask.socket.get_listening_sockets()
    assert not any(s.endswith(":5001") for s in listening), (
        f"something does listen on 5001 in flask: {listening}"
    )


def test_the_vsock_report_matches_this_host(workbench, exercise_output):
    reported = re.findall(r"^AF_VSOCK: socket\(\) (succeeded|failed: \w+)", exercise_output, re.M)
    assert reported, "the exercise did not report what socket(AF_VSOCK, SOCK_STREAM) did"
    now = workbench.check_output("python3 -c %s", PROBE)
    expected = "succeeded" if now == "ok" else f"failed: {now}"
    assert reported[0] == expected, (
        f"the exercise reported '{reported[0]}', but in the workbench it {expected}"
    )
    listed = workbench.file("/proc/net/protocols").content_string.split().count("AF_VSOCK") > 0
    assert f"AF_VSOCK: the kernel lists it in /proc/net/protocols: {listed}" in exercise_output, (
        f"the exercise's /proc/net/protocols line does not say {listed}"
    )
