#!/bin/sh
# rsyslog-rotate FILE: FILE becomes FILE.1 (the previous FILE.1 goes) and FILE starts again, empty.
#
# rsyslogd runs it (rotation.sizeLimitCommand in rsyslog.conf) once FILE has reached its size
# limit, after writing out and closing FILE, and waits for it; its next line opens FILE again.
# So no line is lost, and none is cut in two. FILE is never missing, not even for a moment,
# since checks grep it by its path: FILE.1 is first made a second name of FILE (a hard link,
# renamed over the old FILE.1), then an empty file is renamed over FILE (rename(2) replaces
# its target at once).
#
# If that cannot be done (the volume is full?), FILE still goes: rsyslogd stops writing a file
# for good when this leaves it over its limit. Then FILE is missing until rsyslogd's next line
# makes it again, and if even that cannot be done, FILE is emptied.
set -u
umask 022
file=$1
rm -f -- "$file.1.new" "$file.new" # left by a rotation that was cut short
if [ "$file.1" -ef "$file" ] || { ln -- "$file" "$file.1.new" && mv -f -- "$file.1.new" "$file.1"; }; then
    : >"$file.new" && mv -f -- "$file.new" "$file" && exit 0
    rm -f -- "$file" && exit 0 # FILE.1 holds it all
elif mv -f -- "$file" "$file.1"; then
    exit 0
fi
echo "rsyslog-rotate: cannot rotate $file; emptied it" >&2
: >"$file"
