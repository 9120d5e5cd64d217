#!/bin/sh
# Install LeadTriage from this unpacked folder for the current user:
#   ./install.sh                 -> ~/.local/lib/leadtriage, ~/.local/bin/leadtriage,
#                                   menu entry, icons and AppStream metadata
#   PREFIX=/opt/leadtriage-root ./install.sh   (or PREFIX=/usr/local as root)
#   ~/.local/lib/leadtriage/install.sh --uninstall
# Your data (database, backups, log) lives elsewhere and is never touched.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${PREFIX:-"$HOME/.local"}
DEST="$PREFIX/lib/leadtriage"
APPS="$PREFIX/share/applications"
ICONS="$PREFIX/share/icons/hicolor"
META="$PREFIX/share/metainfo"

refresh_caches() {
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$APPS" 2>/dev/null || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$ICONS" 2>/dev/null || true
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$PREFIX/bin/leadtriage" "$APPS/leadtriage.desktop" "$META/io.leadtriage.LeadTriage.metainfo.xml"
    find "$ICONS" -path '*/apps/leadtriage.*' -delete 2>/dev/null || true
    rm -rf "$DEST"
    refresh_caches
    echo "LeadTriage removed (your data folder was left alone)."
    exit 0
fi

[ -x "$HERE/leadtriage" ] || { echo "install.sh: run it from the unpacked LeadTriage folder" >&2; exit 2; }
mkdir -p "$PREFIX/lib" "$PREFIX/bin" "$APPS" "$ICONS" "$META"
if [ "$HERE" != "$DEST" ]; then
    rm -rf "$DEST.new"
    cp -R "$HERE" "$DEST.new"
    rm -rf "$DEST"
    mv "$DEST.new" "$DEST"
fi
ln -sf "$DEST/leadtriage" "$PREFIX/bin/leadtriage"
sed "s|^Exec=leadtriage\$|Exec=\"$DEST/leadtriage\"|" "$DEST/share/applications/leadtriage.desktop" > "$APPS/leadtriage.desktop"
cp -R "$DEST/share/icons/hicolor/." "$ICONS/"
cp "$DEST/share/metainfo/io.leadtriage.LeadTriage.metainfo.xml" "$META/"
refresh_caches
echo "LeadTriage installed: start it from your applications menu, or run $PREFIX/bin/leadtriage"
