# Shared by start.sh and stop.sh; sourced with $state_dir set. Sets:
#   pg_bin   the newest Debian server binaries' directory ("" when none)
#   pg_root  where the cluster lives; pg_data and pg_sock inside it
# and defines pg_as_server (runs a command as the server's user) and
# pg_stop_cluster.
pg_bin=""
for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
  [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && pg_bin="$dir"
done

pg_as_server() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_root="$state_dir/cluster"
if [ -n "$pg_bin" ] && [ "$(id -u)" -eq 0 ]; then
  # The server's user must reach the build folder; if it cannot, use /tmp.
  if ! runuser -u postgres -- test -x "$state_dir" 2>/dev/null; then
    pg_root="/tmp/keymint-pg-$(id -u)-$(echo -n "$state_dir" | sha256sum | cut -c1-12)"
  fi
fi
pg_data="$pg_root/data"
pg_sock="$pg_root/sock"

pg_stop_cluster() {
  if [ -f "$pg_data/postmaster.pid" ]; then
    pg_as_server "$pg_bin/pg_ctl" -D "$pg_data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
}
