"""Child process for the start-up bench: prints 'painted' on the first paint of the
main window (or of a bare PySide6 window), then quits."""

from __future__ import annotations

import sys


def main() -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer

    class PaintWatch(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt name
            if event.type() == QEvent.Type.Paint:
                print("painted", flush=True)
                QTimer.singleShot(0, app.quit)
            return False

    if sys.argv[1] == "--bare":
        from PySide6.QtWidgets import QApplication, QMainWindow

        app = QApplication(sys.argv[:1])
        window = QMainWindow()
        window.resize(1280, 800)
        window.show()
    else:
        from leadtriage.ui.app import start

        session = start(sys.argv[2])
        app, window = session.app, session.window
    watch = PaintWatch()
    window.installEventFilter(watch)
    window.update()
    app.exec()


if __name__ == "__main__":
    main()
