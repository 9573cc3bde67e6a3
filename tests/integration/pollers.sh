#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# rmmod and netns exit never block on readers, whatever they wait in (select on writefds or exceptfds, a SIGSTOPped poller, epoll, poll, read, a poll stuck in a FUSE file; an unprivileged user's select in its own netns): bounded, no hang, later namespaces still die.
# Defect 2 of issue 9: rmmod blocked for good in 2 of 5 rounds with a select()
# on the write set; a netns whose files were held made cleanup_net spin.
# Sizes: TT_ROUNDS (default 3), TT_POLLERS readers per mode (2),
# TT_SEPARATE=1 also unloads with each mode alone.
. "$(dirname "$0")/lib.sh"
# Stray signals to readers that already left are expected: no errexit here,
# every step that matters is checked.
set +e

rounds=${TT_ROUNDS:-3}
per_mode=${TT_POLLERS:-2}
separate=${TT_SEPARATE:-0}
POLLER="python3 $TOP/tests/integration/poller.py"
MODES="select-w select-x stopped epoll poll read fuse"
FUSE_STALL="python3 $TOP/tests/integration/fuse_stall.py"
FUSE_PID=
out=$TCPTRAIL_OUT/pollers
mkdir -p "$out"
chmod 1777 "$out"
splat_mark

# The fuse readers' poll() also waits on a file of fuse_stall.py's, which
# never answers: they stay in FUSE's ->poll, even SIGKILL waits, until the
# daemon goes. Debian builds FUSE as a module, the test kernel has it built in.
modprobe fuse 2>/dev/null || true
[ -c /dev/fuse ] || fail "no /dev/fuse: this kernel has no FUSE"

errors=()
failed() {
	echo "[$SECONDS s] FAIL: $*"
	errors+=("$*")
}

# fuse_start DIR: fuse_stall.py on DIR/mnt, for the fuse readers.
fuse_start() {
	local dir=$1
	$FUSE_STALL "$dir/mnt" >"$dir/fuse.out" 2>&1 &
	FUSE_PID=$!
	for _ in $(seq 100); do
		grep -qx ready "$dir/fuse.out" && break
		kill -0 "$FUSE_PID" 2>/dev/null || break
		sleep 0.1
	done
	grep -qx ready "$dir/fuse.out" || { cat "$dir/fuse.out"; fail "fuse_stall.py did not start"; }
	export POLLER_FUSE=$dir/mnt/f
}

# fuse_stop: the daemon goes, the connection aborts, the fuse readers' stuck
# requests end.
fuse_stop() {
	[ -n "$FUSE_PID" ] || return 0
	kill -TERM "$FUSE_PID" 2>/dev/null
	bg_wait "$FUSE_PID" 10 || kill -KILL "$FUSE_PID" 2>/dev/null
	wait "$FUSE_PID" 2>/dev/null
	FUSE_PID=
}

# start_readers DIR SPEC...: the poller processes; wait until all wait.
start_readers() {
	local dir=$1
	shift
	rm -rf "$dir" && mkdir -p "$dir" && chmod 1777 "$dir"
	case " $* " in *" fuse:"*) fuse_start "$dir" ;; esac
	start_pollers "$dir" "$@"
	# The fuse readers must really be inside FUSE's ->poll.
	local p w
	for p in $(pids_of "$dir" fuse); do
		for _ in $(seq 100); do
			w=$(cat "/proc/$p/wchan" 2>/dev/null)
			[[ $w =~ fuse|request_wait_answer ]] && break
			sleep 0.1
		done
		[[ $w =~ fuse|request_wait_answer ]] ||
			fail "fuse reader $p waits in '$w', not in FUSE"
		echo "[$SECONDS s] fuse reader $p waits in $w"
	done
	return 0
}

pids_of() {	# pids_of DIR MODE
	local f
	for f in "$1/$2".[0-9]*; do
		[ -e "$f" ] && cat "$f"
	done
}

# release DIR WAITER WHAT: WAITER (a pid) is blocked; release the readers
# one mode at a time (SIGCONT, then SIGKILL) until it goes on, and say which.
release() {
	local dir=$1 waiter=$2 what=$3 m p
	for m in $MODES; do
		[ "$m" = fuse ] && fuse_stop
		for p in $(pids_of "$dir" "$m"); do
			kill -CONT "$p" 2>/dev/null
			kill -KILL "$p" 2>/dev/null
		done
		if bg_wait "$waiter" 5; then
			echo "[$SECONDS s] $what went on once the $m readers were killed"
			return 0
		fi
	done
	echo "$what still blocked with every reader killed"
	return 1
}

# end_readers DIR: after the unload or netns exit, every reader ends: the
# stopped ones once continued, the fuse ones once the daemon is gone, the
# ones in select() at the latest when killed (SIGTERM), within 10 s.
end_readers() {
	local dir=$1 m p
	for p in $(pids_of "$dir" stopped); do kill -CONT "$p" 2>/dev/null; done
	fuse_stop
	sleep 1
	for m in select-w select-x stopped; do
		for p in $(pids_of "$dir" "$m"); do kill -TERM "$p" 2>/dev/null; done
	done
	bg_wait "$POLLER_PID" 10 || {
		failed "readers still there 10 s after the end: $(ps -o pid=,stat=,wchan:32=,args= --ppid "$POLLER_PID" | tr '\n' ';')"
		pkill -KILL -P "$POLLER_PID" 2>/dev/null
		bg_wait "$POLLER_PID" 10
	}
	wait "$POLLER_PID" 2>/dev/null || true
}

specs() {	# specs PATH MODE...: TT_POLLERS readers of each MODE on PATH
	local path=$1 m i
	shift
	for m in "$@"; do
		for i in $(seq "$per_mode"); do echo "$m:$path"; done
	done
}

# unload_with NAME MODE...: rmmod while readers of each MODE wait.
unload_with() {
	local name=$1 dir
	shift
	dir=$out/$name
	load
	# some traffic, so there is something to read and wake for
	curl -s -o /dev/null --max-time 2 http://127.0.0.1:1/ || true
	start_readers "$dir" $(specs "$PROC/events" "$@")
	if timed_rmmod 10; then
		echo "[$SECONDS s] $name: rmmod returned in $RMMOD_MS ms"
	else
		failed "$name: rmmod did not return within 10 s"
		release "$dir" "$RMMOD_PID" "rmmod" || fail "rmmod is stuck for good"
	fi
	end_readers "$dir"
	rmmod_max=$((RMMOD_MS > rmmod_max ? RMMOD_MS : rmmod_max))
}

# dies NAME DEV SECONDS: netns NAME is gone for good once its veth peer DEV
# (in the initial netns) is, which happens in cleanup_net.
dies() {
	local i
	for i in $(seq $(($3 * 10))); do
		ip link show "$2" >/dev/null 2>&1 || return 0
		sleep 0.1
	done
	return 1
}

# netns_life: a netns can still be made and destroyed, completely.
netns_life() {
	timeout 10 unshare -n true || return 1
	timeout 10 ip netns add ttp-probe || return 1
	ip link add ttp-pr0 type veth peer ttp-pr1 netns ttp-probe || return 1
	timeout 10 ip netns del ttp-probe || return 1
	dies ttp-probe ttp-pr0 20
}

# netns_with NAME MODE...: one netns per MODE, a reader of each holding its
# files (opened through /proc/PID/net of a process that then leaves), all
# deleted at once; they and a later netns must be freed.
netns_with() {
	local name=$1 m k=0 specs=() holders=() devs=() dir
	shift
	dir=$out/$name
	for m in "$@"; do
		k=$((k + 1))
		ip netns add "ttp$k"
		ip -n "ttp$k" link set lo up
		ip link add "ttp${k}v0" type veth peer "ttp${k}v1" netns "ttp$k"
		devs+=("ttp${k}v0")
		ip netns exec "ttp$k" sleep 1000 &
		holders+=($!)
		specs+=($(specs "/proc/$!/net/tcptrail/events" "$m"))
	done
	sleep 0.3
	start_readers "$dir" "${specs[@]}"
	kill "${holders[@]}"
	wait "${holders[@]}" 2>/dev/null || true
	for k in $(seq $#); do ip netns del "ttp$k"; done
	local stuck=0
	for d in "${devs[@]}"; do
		dies "" "$d" 20 || { stuck=1; break; }
	done
	if [ $stuck = 0 ] && netns_life; then
		echo "[$SECONDS s] $name: the namespaces died, a new one lives and dies"
	else
		failed "$name: a netns whose files a reader holds is not freed, or blocks later ones"
		(while ! dies "" "${devs[-1]}" 1; do :; done) &
		local watcher=$!
		release "$dir" "$watcher" "netns cleanup" || fail "netns cleanup is stuck for good"
		netns_life || failed "$name: no netns can be destroyed even with the readers gone"
	fi
	end_readers "$dir"
}

# unprivileged NAME: user nobody makes a user+net namespace of its own
# (userns_holder: unshare -Urn, which the chrooted guest cannot run as is),
# opens its tcptrail files from outside (the owner of a user namespace has
# CAP_NET_ADMIN in it), waits in select() on writefds and exceptfds and lets
# the namespace die. Files it may not open (EACCES) are a fine answer too.
unprivileged() {
	local name=$1 holder dir=$out/$1 path
	"$HOLDER" "$NOBODY" "$NOGROUP" sh -c 'ip link set lo up; exec sleep 1000' &
	holder=$!
	sleep 0.5
	path=/proc/$holder/net/tcptrail/events
	if ! setpriv --reuid="$NOBODY" --regid="$NOGROUP" --clear-groups sh -c "exec 3<$path" 2>"$out/$name.open"; then
		echo "$name: nobody may not open its own netns's events: $(cat "$out/$name.open")"
		userns_open=0
		path=/proc/$holder/net/tcptrail/stats
	fi
	rm -rf "$dir" && mkdir -p "$dir" && chmod 1777 "$dir"
	setpriv --reuid="$NOBODY" --regid="$NOGROUP" --clear-groups \
		$POLLER "$dir" "select-w:$path" "select-x:$path" &
	POLLER_PID=$!
	for _ in $(seq 300); do
		[ -e "$dir/select-w.0" ] && [ -e "$dir/select-x.0" ] && break
		ls "$dir"/*.err >/dev/null 2>&1 && { cat "$dir"/*.err; fail "$name: nobody cannot open $path"; }
		sleep 0.1
	done
	[ -e "$dir/select-w.0" ] || fail "$name: the unprivileged readers did not start"
	sleep 0.5
	kill "$holder"
	wait "$holder" 2>/dev/null
	if netns_life; then
		echo "[$SECONDS s] $name: an unprivileged user's dying netns blocks nothing"
	else
		failed "$name: after an unprivileged user's netns died with a select() on its files, no netns can be destroyed"
		netns_life &
		release "$dir" $! "netns cleanup" || fail "netns cleanup is stuck for good"
	fi
	end_readers "$dir"
}

[ -e /proc/self/ns/user ] || fail "no user namespaces in this kernel"
HOLDER=/tmp/userns_holder
gcc -static -O2 -o "$HOLDER" "$TOP/tests/integration/userns_holder.c" ||
	fail "cannot build userns_holder"
NOBODY=$(id -u nobody) NOGROUP=$(id -g nobody)
"$HOLDER" "$NOBODY" "$NOGROUP" true ||
	fail "user nobody cannot make a user namespace here (kernel.unprivileged_userns_clone?)"
userns_open=1

rmmod_max=0
for r in $(seq "$rounds"); do
	echo "[$SECONDS s] --- round $r"
	unload_with "r$r-unload-all" $MODES
	if [ "$separate" = 1 ]; then
		for m in $MODES; do unload_with "r$r-unload-$m" "$m"; done
	fi
	load
	netns_with "r$r-netns" $MODES
	unprivileged "r$r-userns"
	timed_rmmod 10 || failed "r$r: rmmod with no reader left did not return within 10 s"
	# A round that failed has shown it: do not spend the others' time.
	if [ ${#errors[@]} -gt 0 ]; then
		echo "stopping after round $r of $rounds"
		break
	fi
done

figure rounds "$r"
figure rmmod_max_ms "$rmmod_max"
figure hangs "${#errors[@]}"
figure userns_events_opened "$userns_open"
figure splats "$(splat_count)"
check "no unload or netns exit blocked (${#errors[@]}: ${errors[*]})" test "${#errors[@]}" = 0
check "no kernel splat" test "$(splat_count)" = 0
