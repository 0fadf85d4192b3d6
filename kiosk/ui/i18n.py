"""Run-time language switching: Vietnamese is the source text, English comes from kiosk_en.qm.

Switching installs or removes a QTranslator; Qt then sends every widget a LanguageChange event,
and each screen re-reads its strings in `retranslate()` — no restart, no rebuilt windows.
"""
from __future__ import annotations

import logging

from kiosk.paths import resources_dir
from kiosk.ui.qt import QCoreApplication, QObject, QTranslator, Signal

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "vi"
LANGUAGES = ("vi", "en")


def qm_path(lang: str):
    return resources_dir() / "i18n" / f"kiosk_{lang}.qm"


def ensure_built() -> None:
    """Build missing or stale .qm files from their .ts sources (the install step does the same)."""
    from kiosk.ui import translations_build
    try:
        translations_build.build()
    except (OSError, SystemExit) as exc:  # a read-only install ships built .qm files
        log.warning("could not build translations: %s", exc)


class Translations(QObject):
    """Owns the installed translator; `language_changed` fires after the switch."""

    language_changed = Signal(str)

    def __init__(self, app: QCoreApplication, language: str = SOURCE_LANGUAGE):
        super().__init__(app)
        self._app = app
        self._translator: QTranslator | None = None
        self._language = SOURCE_LANGUAGE
        self.set_language(language)

    @property
    def language(self) -> str:
        return self._language

    def set_language(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unsupported language {lang!r}")
        if lang == self._language and (lang == SOURCE_LANGUAGE or self._translator is not None):
            return
        if self._translator is not None:
            self._app.removeTranslator(self._translator)
            self._translator = None
        if lang != SOURCE_LANGUAGE:
            translator = QTranslator(self)
            if not translator.load(str(qm_path(lang))):
                raise FileNotFoundError(f"translation {qm_path(lang)} missing: run "
                                        "`python -m kiosk.ui.translations_build`")
            self._app.installTranslator(translator)
            self._translator = translator
        self._language = lang
        self.language_changed.emit(lang)

    def uninstall(self) -> None:
        """Remove the translator from the application (the app outlives this object in tests)."""
        if self._translator is not None:
            self._app.removeTranslator(self._translator)
            self._translator = None
        self._language = SOURCE_LANGUAGE

    def toggle(self) -> str:
        self.set_language("en" if self._language == "vi" else "vi")
        return self._language


def tr(context: str, text: str) -> str:
    """Translate a source (Vietnamese) string; lupdate finds calls written as
    `QCoreApplication.translate("Ctx", "...")` — use that form (or self.tr) for literals."""
    return QCoreApplication.translate(context, text)
