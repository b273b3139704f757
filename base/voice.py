"""Spoken messages: text -> a Telegram voice note (OGG/Opus), offline, generated once and reused.

The pipeline, all Debian packages and no network:

1. the text loses its emoji and HTML tags (a voice should not spell out "check mark button"), and
   unit symbols become words ("220 km" is said "220 kilometres", "19 h 30" "19 heures 30");
2. ``espeak-ng`` speaks it in the member's language (voice ``fr`` or ``en``), a little slower than
   its default, into a WAV file;
3. ``opusenc`` (opus-tools) encodes it to Opus in an Ogg container, mono, tuned for speech; when
   opusenc is missing, ``ffmpeg`` with libopus does the same.

Each note is stored under ``<data dir>/voice/<sha256>.ogg``, where the hash covers the pipeline
settings, the espeak-ng version, the language and the exact text. The same message in the same
language and library version is therefore spoken once and read back from disk every time after;
a new text, voice or engine gives a new file. Files are written atomically, so two processes
speaking the same text at once both end with a whole file.

Needs: ``apt-get install -y espeak-ng opus-tools`` (``ffmpeg`` as a fallback encoder).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import struct
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from base.environment import default_data_dir
from base.readability import strip_emoji
from domain.errors import GreenslateError

#: Bump when the pipeline below changes in a way that changes the sound.
PIPELINE_VERSION = "1"

#: espeak-ng voice per language, and speaking rate in words per minute (espeak-ng's default is 175:
#: a little slower is easier to follow, for people learning the language too).
VOICES = {"fr": "fr", "en": "en-gb"}
WORDS_PER_MINUTE = 150
OPUS_BITRATE_KBPS = 24  # plenty for mono speech; a 10-second note is about 30 KB

#: Runs one command; ``subprocess.run`` in production, a recorder in tests.
Runner = Callable[[Sequence[str]], "subprocess.CompletedProcess[bytes]"]


class VoiceError(GreenslateError):
    """A voice note could not be made (a tool is missing or failed). The text message still goes."""

    code = "voice"


@dataclass(frozen=True)
class VoiceNote:
    data: bytes  # OGG/Opus
    duration: float  # seconds
    path: Path  # the cached file
    cache_key: str  # sha256 hex: identifies the note across processes (and in the store index)
    from_cache: bool


@dataclass(frozen=True)
class OpusInfo:
    channels: int
    pre_skip: int
    granule: int  # the last page's granule position, in 48 kHz samples

    @property
    def duration(self) -> float:
        return max(0, self.granule - self.pre_skip) / 48_000


def _run(command: Sequence[str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(list(command), capture_output=True, check=False, timeout=120)


class Voice:
    """Speaks texts into cached voice notes. One per process is enough; it is thread-safe."""

    def __init__(self, cache_dir: Path | str | None = None, run: Runner = _run, encoder: str | None = None) -> None:
        """``encoder``: "opusenc" or "ffmpeg"; by default opusenc, or ffmpeg when only ffmpeg is installed."""
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_data_dir() / "voice"
        self._run = run
        if encoder is None:
            encoder = "ffmpeg" if shutil.which("ffmpeg") and not shutil.which("opusenc") else "opusenc"
        if encoder not in ("opusenc", "ffmpeg"):
            raise ValueError(f"unknown encoder {encoder!r}")
        self.encoder = encoder
        self._engine: str | None = None
        self._lock = threading.Lock()

    # -- public ---------------------------------------------------------------------------------

    def note(self, text: str, lang: str) -> VoiceNote:
        """The voice note for ``text`` in ``lang``: from the cache, or spoken now and cached."""
        lang = lang if lang in VOICES else "fr"
        spoken = speakable(text, lang)
        if not spoken:
            raise VoiceError("nothing to say: the text has no words once emoji are removed")
        key = self.cache_key(spoken, lang)
        path = self.cache_dir / f"{key}.ogg"
        if path.is_file():
            data = path.read_bytes()
            return VoiceNote(data, opus_info(data).duration, path, key, from_cache=True)
        data = self._speak(spoken, lang)
        info = opus_info(data)  # refuses anything that is not Ogg Opus
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.cache_dir, prefix=f".{key}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return VoiceNote(data, info.duration, path, key, from_cache=False)

    def cache_key(self, spoken: str, lang: str) -> str:
        identity = "\n".join(
            (
                PIPELINE_VERSION,
                self.engine_version(),
                VOICES[lang],
                str(WORDS_PER_MINUTE),
                str(OPUS_BITRATE_KBPS),
                lang,
                spoken,
            )
        )
        return hashlib.sha256(identity.encode("utf-8")).hexdigest()

    def engine_version(self) -> str:
        """espeak-ng's version line (asked once per ``Voice``), part of every cache key."""
        with self._lock:
            if self._engine is None:
                result = self._call(["espeak-ng", "--version"])
                self._engine = " ".join(result.stdout.decode("utf-8", "replace").split()[:4])
            return self._engine

    # -- the pipeline ---------------------------------------------------------------------------

    def _speak(self, spoken: str, lang: str) -> bytes:
        with tempfile.TemporaryDirectory(prefix="greenslate-voice-") as folder:
            text_file = Path(folder) / "text.txt"
            wav = Path(folder) / "speech.wav"
            ogg = Path(folder) / "speech.ogg"
            text_file.write_text(spoken, encoding="utf-8")
            self._call(
                [
                    "espeak-ng",
                    "-v",
                    VOICES[lang],
                    "-s",
                    str(WORDS_PER_MINUTE),
                    "-b",
                    "1",
                    "-f",
                    str(text_file),
                    "-w",
                    str(wav),
                ]
            )
            if self.encoder == "opusenc":
                self._call(
                    [
                        "opusenc",
                        "--quiet",
                        "--speech",
                        "--downmix-mono",
                        "--bitrate",
                        str(OPUS_BITRATE_KBPS),
                        "--discard-comments",
                        str(wav),
                        str(ogg),
                    ]
                )
            else:
                self._call(
                    [
                        "ffmpeg",
                        "-nostdin",
                        "-loglevel",
                        "error",
                        "-y",
                        "-i",
                        str(wav),
                        "-ac",
                        "1",
                        "-c:a",
                        "libopus",
                        "-b:a",
                        f"{OPUS_BITRATE_KBPS}k",
                        "-application",
                        "voip",
                        str(ogg),
                    ]
                )
            return ogg.read_bytes()

    def _call(self, command: list[str]) -> subprocess.CompletedProcess[bytes]:
        try:
            result = self._run(command)
        except FileNotFoundError as exc:
            raise VoiceError(f"{command[0]} is not installed (apt-get install espeak-ng opus-tools)") from exc
        except subprocess.TimeoutExpired as exc:
            raise VoiceError(f"{command[0]} took too long") from exc
        if result.returncode != 0:
            detail = result.stderr.decode("utf-8", "replace").strip()[-300:]
            raise VoiceError(f"{command[0]} failed ({result.returncode}): {detail}")
        return result


_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")

#: Written symbols a voice should say in words (espeak-ng spells "km" as "K M" in English and
#: reads "19 h 30" as "dix-neuf hache trente"). Longest first; applied as whole words.
SAY_IN_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "fr": (
        (r"(\d)\s*h\s*(\d\d)\b", r"\1 heures \2"),
        (r"(\d)\s*h\b", r"\1 heures"),
        (r"\btCO2e\b", "tonnes équivalent CO2"),
        (r"\bkg\s?CO2e\b", "kilos équivalent CO2"),
        (r"\bCO2e\b", "équivalent CO2"),
        (r"\bkWh\b", "kilowattheures"),
        (r"\bkVA\b", "kilovoltampères"),
        (r"(\d)\s*L\b", r"\1 litres"),
    ),
    "en": (
        (r"\bCO2\b", "C O 2"),  # else "co two"
        (r"\btCO2e\b", "tonnes of C O 2 equivalent"),
        (r"\bkg\s?CO2e\b", "kilos of C O 2 equivalent"),
        (r"\bCO2e\b", "C O 2 equivalent"),
        (r"\bkm\b", "kilometres"),
        (r"\bkg\b", "kilos"),
        (r"\bkWh\b", "kilowatt hours"),
        (r"\bkVA\b", "kilovolt amperes"),
        (r"(\d)\s*L\b", r"\1 litres"),
    ),
}


def speakable(text: str, lang: str = "fr") -> str:
    """What the voice says: the text without emoji, HTML tags or extra spaces, symbols in words."""
    spoken = " ".join(strip_emoji(_TAG.sub("", text)).split())
    for pattern, words in SAY_IN_WORDS.get(lang, ()):
        spoken = re.sub(pattern, words, spoken)
    return spoken


def opus_info(data: bytes) -> OpusInfo:
    """Read an Ogg Opus file's header and length; raises :class:`VoiceError` if it is not one.

    Ogg pages start with ``OggS``; the first packet of an Opus stream is the ``OpusHead`` header
    (RFC 7845): channel count at byte 9, pre-skip at bytes 10-11. The granule position of the last
    page counts 48 kHz samples from the start, pre-skip included.
    """
    if len(data) < 47 or data[:4] != b"OggS":
        raise VoiceError("not an Ogg file")
    segments = data[26]
    head = 27 + segments
    if data[head : head + 8] != b"OpusHead":
        raise VoiceError("an Ogg file without an Opus stream")
    channels = data[head + 9]
    (pre_skip,) = struct.unpack_from("<H", data, head + 10)
    last = data.rfind(b"OggS")
    (granule,) = struct.unpack_from("<q", data, last + 6)
    return OpusInfo(channels=channels, pre_skip=pre_skip, granule=granule)


_defaults: dict[Path, Voice] = {}
_default_lock = threading.Lock()


def default_voice() -> Voice:
    """The process's voice, caching under the data directory (one per directory, if it changes)."""
    folder = default_data_dir() / "voice"
    with _default_lock:
        if folder not in _defaults:
            _defaults[folder] = Voice(folder)
        return _defaults[folder]


def synthesise(text: str, lang: str) -> bytes:
    """``text`` spoken in ``lang`` as OGG/Opus bytes, from the cache when it was spoken before."""
    return default_voice().note(text, lang).data
