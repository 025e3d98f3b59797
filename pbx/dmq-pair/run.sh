#!/bin/sh
# Two Kamailio nodes on two "hosts" — network namespaces joined by a veth pair — share their
# registrations over DMQ (dmq_usrloc): a REGISTER sent to node A is then found on node B. Prints
# node B's lookup of the AoR and both nodes' view of the DMQ peers. Needs root (ip netns); removes
# its namespaces, link and run directory at the end, and stops the nodes by PID.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
D=$(mktemp -d /tmp/dmq-pair.XXXXXX)
A=dmqa$$
B=dmqb$$
cleanup() {
  for f in "$D"/a.pid "$D"/b.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
  sleep 0.5
  ip netns del "$A" 2>/dev/null
  ip netns del "$B" 2>/dev/null
  rm -rf "$D"
}
trap cleanup EXIT HUP INT PIPE TERM
ip netns add "$A"
ip netns add "$B"
ip link add "va$$" type veth peer name "vb$$"
ip link set "va$$" netns "$A"
ip link set "vb$$" netns "$B"
ip -n "$A" addr add 10.77.0.1/24 dev "va$$"
ip -n "$B" addr add 10.77.0.2/24 dev "vb$$"
for n in "$A" "$B"; do ip -n "$n" link set lo up; done
ip -n "$A" link set "va$$" up
ip -n "$B" link set "vb$$" up
start() { # name self peer namespace
  mkdir -p "$D/$1"
  sed -e "s/@SELF@/$2/g" -e "s/@PEER@/$3/g" -e "s#@DIR@#$D/$1#g" "$HERE/kamailio-node.cfg.in" >"$D/$1/kamailio.cfg"
  ip netns exec "$4" kamailio -f "$D/$1/kamailio.cfg" -DD -E -m 32 -M 4 -Y "$D/$1" >"$D/$1.log" 2>&1 &
  echo $! >"$D/$1.pid"
}
start a 10.77.0.1 10.77.0.2 "$A"
start b 10.77.0.2 10.77.0.1 "$B"
for i in $(seq 1 50); do
  [ -S "$D/a/ctl" ] && [ -S "$D/b/ctl" ] && break
  sleep 0.2
done
# Both nodes must know each other before the REGISTER, or node A has nobody to copy it to.
for i in $(seq 1 50); do
  kamcmd -s "unix:$D/a/ctl" dmq.list_nodes 2>/dev/null | grep -q "10.77.0.2" && break
  sleep 0.2
done
echo "node B looks alice up before:"
kamcmd -s "unix:$D/b/ctl" ul.lookup location alice@10.77.0.1 2>&1 | grep -E "AoR|Address|not found"
echo "REGISTER alice at node A (10.77.0.1):"
ip netns exec "$A" sipsak -U -C sip:alice@10.77.0.1:5099 -s sip:alice@10.77.0.1 -x 300 -vv 2>&1 | grep -iE "received|failure|error" | head -2
sleep 1
echo "node B (10.77.0.2) looks alice up:"
kamcmd -s "unix:$D/b/ctl" ul.lookup location alice@10.77.0.1 2>&1 | grep -E "AoR|Address|Expires"
echo "node B's DMQ peers:"
kamcmd -s "unix:$D/b/ctl" dmq.list_nodes 2>&1 | grep -E "host|status"
