# Shared by scripts/bench and scripts/test: install missing Debian packages,
# then configure and build. Sourced, not run.

RS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

rs_log() { printf '==> %s\n' "$*" >&2; }

# rs_need_packages PKG...: installs, with apt-get, those not installed yet.
# A package that is already installed is never touched.
rs_need_packages() {
	local missing=() p
	for p in "$@"; do
		if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
			missing+=("$p")
		fi
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing Debian packages: ${missing[*]}; run as root, or install them with apt-get" >&2
		return 1
	fi
	rs_log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 || return 1
	# No service starts because we installed it (openssh-server's and nginx's postinst
	# would start the system sshd and nginx): a policy-rc.d saying "forbidden" (101)
	# for the length of the install, unless the machine already has its own.
	local policy=/usr/sbin/policy-rc.d made_policy= rc=0
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\n# ringside scripts/lib/common.sh: removed after apt-get install\nexit 101\n' >"$policy" &&
			chmod 755 "$policy" && made_policy=1
	fi
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || rc=1
	[ -n "$made_policy" ] && rm -f "$policy"
	return $rc
}

# What building needs.
RS_BUILD_PACKAGES=(build-essential cmake pkg-config linux-libc-dev liburing-dev libjansson-dev
	libbpf-dev libelf-dev zlib1g-dev clang llvm bpftool)
# What a benchmark run needs besides (peers and charts).
RS_BENCH_PACKAGES=(gnuplot-nox nginx haproxy wrk procps socat)
# What the tests need besides (schema validation, chart PNGs, browser rendering, fuzzing).
# openssh-server and iproute2: tests/multihost starts its own sshd in namespaces
# (never the system one, whose config it leaves alone). socat: the user's server
# of tests/harness/test_byos.py (--server), and of docs/tinygate.md's examples.
RS_TEST_PACKAGES=(python3 python3-jsonschema python3-pil chromium libclang-rt-14-dev openssh-server
	openssh-client iproute2 socat)

# rs_build DIR [CMAKE ARGS...]: configure (once) and build into DIR.
rs_build() {
	local dir=$1
	shift
	cmake -S "$RS_ROOT" -B "$dir" "$@" >&2 || return 1
	cmake --build "$dir" -j "$(nproc)" >&2
}

# rs_build_target DIR TARGET [CMAKE ARGS...]: configure DIR and build only TARGET.
rs_build_target() {
	local dir=$1 target=$2
	shift 2
	cmake -S "$RS_ROOT" -B "$dir" "$@" >&2 || return 1
	cmake --build "$dir" -j "$(nproc)" --target "$target" >&2
}

# rs_stage NAME: a banner that makes each stage of a long script easy to find.
rs_stage() {
	printf '\n======== %s ========\n' "$*"
}
