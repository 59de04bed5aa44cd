#!/usr/bin/env bash
# Adds PySpark's Python side to the Spark home the build assembles, so that the one runtime runs
# JVM and Python jobs alike: python/lib/pyspark.zip and python/lib/py4j-<version>-src.zip, the two
# files Spark's launcher puts on a Python driver's and worker's PYTHONPATH. They come from the
# PySpark source distribution of the pinned Spark version on PyPI (pip checks it against PyPI's
# hash), not from Maven Central, which has no Python files. Downloaded once per Spark version and
# kept, 3.5 MB, in the cache (SPARKGATE_BUILD_CACHE, default ~/.cache/sparkgate); a download takes
# about 10 s, as the distribution is 455 MB with Spark's jars, which are not used.
#
#   pyspark-python.sh SPARK_VERSION SPARK_HOME
set -euo pipefail

version="$1"
home="$2"
cache="${SPARKGATE_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sparkgate}/pyspark-$version"

if [[ ! -f $cache/complete ]]; then
  command -v python3 > /dev/null || { echo "pyspark-python: needs python3" >&2; exit 1; }
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  pip=(python3 -m pip)
  if ! python3 -m pip --version > /dev/null 2>&1; then
    # No pip beside the system's python3 (Debian without python3-pip): a venv brings its own.
    python3 -m venv "$tmp/venv"
    pip=("$tmp/venv/bin/python" -m pip)
  fi
  echo "pyspark-python: downloading PySpark $version from PyPI (once)" >&2
  "${pip[@]}" download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
    "pyspark==$version" -d "$tmp/download"
  mkdir -p "$tmp/lib"
  tar --no-same-owner -xzf "$tmp/download/pyspark-$version.tar.gz" -C "$tmp/lib" --strip-components=2 \
    "pyspark-$version/lib/"
  ls "$tmp/lib"/pyspark.zip "$tmp/lib"/py4j-*-src.zip > /dev/null
  rm -rf "$cache"
  mkdir -p "$(dirname "$cache")"
  mv "$tmp/lib" "$cache"
  touch "$cache/complete"
fi

# Spark looks for the py4j zip of the py4j version it was built with, by name.
py4j_jar="$(cd "$home/jars" && ls py4j-*.jar)"
py4j_zip="${py4j_jar%.jar}-src.zip"
if [[ ! -f $cache/$py4j_zip ]]; then
  echo "pyspark-python: PySpark $version has $(cd "$cache" && ls py4j-*-src.zip)," \
    "but the runtime's jars want $py4j_zip" >&2
  exit 1
fi
mkdir -p "$home/python/lib"
cp "$cache/pyspark.zip" "$cache/$py4j_zip" "$home/python/lib/"
