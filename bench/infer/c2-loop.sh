#!/usr/bin/env bash
# Prints the innermost hot loop of one C2-compiled method, disassembled, with counts of what usually
# goes wrong in Vector API code (stack spills, shift counts moved into xmm registers, register copies).
# Needs no hsdis plugin: the JVM prints the machine code as hex, objdump (binutils) disassembles it.
#
#   bench/infer/c2-loop.sh 'bitnut.infer.kernel.TernaryMatMul::pairs4' bitnut.infer.kernel.DecodeKernelBench 3 1
#   bench/infer/c2-loop.sh 'bitnut.infer.kernel.DenseMatrix$Int8::rows' bitnut.infer.kernel.DenseDecodeBench 2 int8
#
# The main class (with its arguments) must run the method long enough for C2 to compile it. Run after
# `./mvnw -B -q -DskipTests package`; JAVA_HOME must point to a JDK 25.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 'package.Class::method' main.Class [args...]" >&2; exit 2; }
method=$1; shift
cd "$(dirname "$0")/../.."
raw=$(mktemp); bin=$(mktemp); trap 'rm -f "$raw" "$bin"' EXIT
"${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java" -XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=print,"$method" \
    -Xmx3g @packaging/jvm-options -cp 'target/bitnut.jar:target/lib/*' "$@" > "$raw" 2>&1 || true
python3 - "$raw" "$bin" <<'PY'
import re, subprocess, sys
lines = open(sys.argv[1], errors='replace').read().split('\n')
starts = [i for i, l in enumerate(lines) if l.startswith('Compiled method (c2)') and ' % ' not in l]
if not starts:
    sys.exit('no normal C2 compile of the method was printed (did the run last long enough?)')
code = bytearray()
for l in lines[starts[-1]:]:
    if l.startswith('[Stub Code]') or l.startswith('[Exception Handler]'):
        break
    m = re.match(r'\s+0x[0-9a-f]+:\s+((?:[0-9a-f]{4} ?\|? ?)+)\s*$', l)
    if m:
        code += bytes.fromhex(m.group(1).replace('|', '').replace(' ', ''))
open(sys.argv[2], 'wb').write(code)
asm = subprocess.run(['objdump', '-D', '-b', 'binary', '-mi386:x86-64', '-M', 'intel', sys.argv[2]],
                     capture_output=True, text=True, check=True).stdout
ins = []
for l in asm.split('\n'):
    m = re.match(r'\s*([0-9a-f]+):\t[0-9a-f ]+\t(.*)', l)
    if m:
        ins.append((int(m.group(1), 16), re.sub(r'\s+', ' ', m.group(2).strip())))
# the loop: the innermost backward jump (no other loop inside) with the most vector instructions
loops = []
for at, text in ins:
    m = re.match(r'j\w+ 0x([0-9a-f]+)', text)
    if m and int(m.group(1), 16) < at:
        loops.append((int(m.group(1), 16), at))
best = None
for top, end in loops:
    if any(top <= t and e <= end and (t, e) != (top, end) for t, e in loops):
        continue
    body = [t for a, t in ins if top <= a <= end]
    score = sum(' zmm' in t or ' ymm' in t for t in body)
    if best is None or score > best[0]:
        best = (score, body)
if best is None:
    sys.exit('no loop found')
body = best[1]
spills = sum('rsp' in t for t in body)
counts = sum(t.startswith('vmovd ') for t in body)
copies = sum(re.match(r'vmovdq\w+ [xyz]mm\d+,[xyz]mm\d+$', t) is not None for t in body)
print(f'{len(body)} instructions in the loop: {spills} stack accesses, {counts} vmovd (scalar to vector), {copies} register copies')
print('\n'.join(body))
PY
