#!/usr/bin/env python3
"""Disassembles the last C2 compile of one method from a JVM's -XX:CompileCommand=print output.

The JDK ships without the hsdis disassembler, so PrintAssembly prints machine code as hex words; this turns the
newest C2 (tier 4, not on-stack-replacement) compile of METHOD into bytes and runs objdump on them.

    java ... -XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=print,io.moe4j.tensor.InterleavedQ4_0::dotPair ... > out.txt
    scripts/kernel-asm.py out.txt dotPair | less
"""
import re
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: kernel-asm.py PRINT_OUTPUT METHOD_NAME")
    lines = open(sys.argv[1], errors="replace").read().split("\n")
    header = re.compile(r"Compiled method \(c2\).*\s4\s+\S+::" + re.escape(sys.argv[2]) + r" \(")
    starts = [i for i, line in enumerate(lines) if header.search(line)]
    if not starts:
        sys.exit(f"no C2 compile of {sys.argv[2]} in {sys.argv[1]}")
    code = bytearray()
    inside = False
    for line in lines[starts[-1]:]:
        if "[Verified Entry Point]" in line:
            inside = True
        elif inside and ("[Exception Handler]" in line or "[Stub Code]" in line):
            break
        words = re.match(r"\s*0x[0-9a-f]+:\s+((?:[0-9a-f]{2,8}\s*\|?\s*)+)$", line)
        if inside and words:
            for word in re.findall(r"[0-9a-f]+", words.group(1)):
                if len(word) % 2 == 0 and len(word) <= 8:
                    code += bytes.fromhex(word)
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(code)
        f.flush()
        subprocess.run(["objdump", "-D", "-b", "binary", "-m", "i386:x86-64", f.name], check=True)


if __name__ == "__main__":
    main()
