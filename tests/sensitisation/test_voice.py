"""Voice notes made for real with espeak-ng and opusenc: valid OGG/Opus, plausible length, spoken once."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from base.voice import Voice, VoiceError, opus_info, speakable
from sensitisation.library import keys, render
from sensitisation.voice_notes import library_voice_note


class CountingRunner:
    """Runs the real commands and remembers them: the boundary the cache must avoid crossing."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def __call__(self, command: Sequence[str]) -> subprocess.CompletedProcess[bytes]:
        self.commands.append(list(command))
        return subprocess.run(list(command), capture_output=True, check=False, timeout=120)

    @property
    def programs(self) -> list[str]:
        return [c[0] for c in self.commands]


def ffprobe(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
        capture_output=True,
        check=True,
    )
    return json.loads(out.stdout)


@pytest.fixture
def runner() -> CountingRunner:
    return CountingRunner()


@pytest.fixture
def voice(tmp_path: Path, runner: CountingRunner) -> Voice:
    return Voice(cache_dir=tmp_path / "voice", run=runner)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_library_message_becomes_a_playable_ogg_opus_voice_note(voice: Voice, lang: str) -> None:
    text = render("engine-off", lang)
    note = library_voice_note("engine-off", lang, voice)

    assert note.data[:4] == b"OggS"
    assert b"OpusHead" in note.data[:100]
    info = opus_info(note.data)
    assert info.channels == 1
    # About 17 words at 150 words a minute: some 7 seconds. A broken pipeline gives silence or hours.
    words = len(text.split())
    assert words / 150 * 60 * 0.6 < note.duration < words / 150 * 60 * 1.6
    assert 1 < note.duration < 30

    probe = ffprobe(note.path)  # an independent decoder agrees
    (stream,) = probe["streams"]
    assert stream["codec_name"] == "opus"
    assert probe["format"]["format_name"] == "ogg"
    assert float(probe["format"]["duration"]) == pytest.approx(note.duration, abs=0.1)
    assert note.path.read_bytes() == note.data
    # Playable: a full decode to PCM goes through without a single error.
    decoded = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(note.path), "-f", "s16le", "-ac", "1", "-ar", "16000", "-"],
        capture_output=True,
        check=False,
    )
    assert decoded.returncode == 0 and decoded.stderr == b"", decoded.stderr
    samples = len(decoded.stdout) // 2
    assert samples / 16_000 == pytest.approx(note.duration, abs=0.1)
    assert (
        max(
            abs(int.from_bytes(decoded.stdout[i : i + 2], "little", signed=True))
            for i in range(0, len(decoded.stdout), 200)
        )
        > 1000
    )  # not silence


def test_ffmpeg_encodes_the_same_kind_of_note_when_opusenc_is_missing(tmp_path: Path) -> None:
    runner = CountingRunner()
    note = Voice(cache_dir=tmp_path, run=runner, encoder="ffmpeg").note(render("engine-off", "fr"), "fr")
    assert "ffmpeg" in runner.programs and "opusenc" not in runner.programs
    info = opus_info(note.data)
    assert info.channels == 1 and 3 < info.duration < 15
    (stream,) = ffprobe(note.path)["streams"]
    assert stream["codec_name"] == "opus"


def test_the_second_time_the_note_comes_from_the_cache_without_running_anything(
    voice: Voice, runner: CountingRunner
) -> None:
    first = library_voice_note("veggie-day", "fr", voice)
    assert not first.from_cache
    assert runner.programs.count("espeak-ng") == 2  # --version once, then speaking
    runner.commands.clear()

    again = library_voice_note("veggie-day", "fr", voice)
    assert again.from_cache
    assert again.data == first.data and again.path == first.path
    assert runner.commands == []

    # A new process (a new Voice) on the same cache only asks the engine's version.
    other_runner = CountingRunner()
    other = Voice(cache_dir=voice.cache_dir, run=other_runner).note(render("veggie-day", "fr"), "fr")
    assert other.from_cache and other.data == first.data
    assert other_runner.commands == [["espeak-ng", "--version"]]


def test_each_language_and_text_gets_its_own_note(voice: Voice) -> None:
    fr = library_voice_note("sorting-bins", "fr", voice)
    en = library_voice_note("sorting-bins", "en", voice)
    other = library_voice_note("engine-off", "fr", voice)
    assert len({fr.cache_key, en.cache_key, other.cache_key}) == 3
    assert len(list(voice.cache_dir.glob("*.ogg"))) == 3
    assert not list(voice.cache_dir.glob("*.tmp"))


def test_symbols_are_said_in_words() -> None:
    assert speakable("220 km today, 12.5 kg CO2e.", "en") == "220 kilometres today, 12.5 kilos of C O 2 equivalent."
    assert speakable("Demain à 19 h 30, ou à 8 h.", "fr") == "Demain à 19 heures 30, ou à 8 heures."
    assert speakable("Plein de 40 L, groupe de 125 kVA.", "fr") == "Plein de 40 litres, groupe de 125 kilovoltampères."
    assert speakable("Le CO2 du menu.", "fr") == "Le CO2 du menu."  # espeak-ng says it well in French


def test_emoji_are_not_spoken(voice: Voice) -> None:
    assert speakable("Triez vos déchets. ♻️") == "Triez vos déchets."
    with_emoji = voice.note("Triez vos déchets. ♻️", "fr")
    without = voice.note("Triez vos déchets.", "fr")
    assert with_emoji.cache_key == without.cache_key and without.from_cache
    with pytest.raises(VoiceError, match="nothing to say"):
        voice.note("✅ 🎉", "fr")


def test_a_missing_tool_is_a_clear_voice_error(tmp_path: Path) -> None:
    def missing(command: Sequence[str]) -> subprocess.CompletedProcess[bytes]:
        raise FileNotFoundError(command[0])

    with pytest.raises(VoiceError, match="espeak-ng is not installed"):
        Voice(cache_dir=tmp_path, run=missing).note("Bonjour.", "fr")
    assert not list(tmp_path.iterdir())


def test_a_failing_encoder_leaves_no_file_behind(tmp_path: Path) -> None:
    def failing(command: Sequence[str]) -> subprocess.CompletedProcess[bytes]:
        if command[0] in ("opusenc", "ffmpeg"):
            return subprocess.CompletedProcess(command, 1, b"", b"encoder exploded")
        return subprocess.run(list(command), capture_output=True, check=False)

    with pytest.raises(VoiceError, match="encoder exploded"):
        Voice(cache_dir=tmp_path, run=failing).note("Bonjour.", "fr")
    assert not list(tmp_path.glob("*.ogg"))


def test_opus_info_refuses_what_is_not_ogg_opus(tmp_path: Path) -> None:
    with pytest.raises(VoiceError, match="not an Ogg file"):
        opus_info(b"RIFF" + bytes(100))
    wav = tmp_path / "a.wav"
    subprocess.run(["espeak-ng", "-v", "fr", "-w", str(wav), "Bonjour"], check=True)
    vorbis = tmp_path / "a.ogg"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(wav), "-c:a", "flac", str(vorbis)], check=True
    )
    with pytest.raises(VoiceError, match="without an Opus stream"):
        opus_info(vorbis.read_bytes())


def test_every_library_message_can_be_spoken_in_both_languages(tmp_path: Path) -> None:
    voice = Voice(cache_dir=tmp_path)
    for key in keys():
        for lang in ("fr", "en"):
            note = library_voice_note(key, lang, voice)
            assert 1 < note.duration < 30, (key, lang, note.duration)
