#!/bin/sh
# rsyslogd in the foreground, stopped without losing what senders were told was delivered.
#
# On `docker stop` (SIGTERM) rsyslogd would close its socket at once, and datagrams that the
# kernel had already queued for it (up to net.unix.max_dgram_qlen) would be dropped. So first
# the socket's name is removed: senders that address it by path (sendto, or reconnect after an
# error) now fail at once and retry, while rsyslogd keeps reading what is queued. Once the
# queue is empty, rsyslogd is stopped, and it writes out everything it has read.
set -u
SOCKET=/run/syslog/log

# The files checks grep exist from the start, before rsyslogd's first line (it makes them then).
mkdir -p /var/log/lab  # the evidence copies (rsyslog.conf)
for log in /var/log/syslog /var/log/priority.log /var/log/lab/syslog /var/log/lab/priority.log; do
    [ -e "$log" ] || : >"$log"
done

rsyslogd -n -iNONE -f /etc/rsyslog.conf &
pid=$!

queued() {  # datagrams waiting in the socket's receive queue (ss's Recv-Q), 0 if unknown
    ss -H -xa | awk -v s="$SOCKET" '$5 == s { print $3; exit }' | grep . || echo 0
}

stop() {
    rm -f "$SOCKET"
    quiet=0 tries=0
    while [ "$quiet" -lt 3 ] && [ "$tries" -lt 100 ]; do  # empty 3 times in a row, at most 5 s
        if [ "$(queued)" = 0 ]; then quiet=$((quiet + 1)); else quiet=0; fi
        tries=$((tries + 1))
        sleep 0.05
    done
    kill -TERM "$pid"
}
trap stop TERM INT

# `wait` returns early when a trapped signal arrives: wait again for rsyslogd itself.
wait "$pid"
status=$?
while kill -0 "$pid" 2>/dev/null; do wait "$pid"; status=$?; done
exit "$status"
