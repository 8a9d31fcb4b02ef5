"""`python -m bot demo`: the real bot, a local Bot API emulator, and a chat in the terminal.

The bot runs as its own process (`python -m bot run`), exactly as in production, pointed at the
emulator by TELEGRAM_API_URL; this process serves the emulator and plays the demo people.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.emulator import BotApiEmulator, EmulatorServer
from bot.emulator.terminal import Persona, Playground

DEMO_TOKEN = "7000000001:DEMOdemoDEMOdemoDEMOdemoDEMOdemo1234"
DEMO_BOT_USERNAME = "lba_demo_bot"
DATA_DIR = Path("data")
DEMO_DB = DATA_DIR / "demo.db"
DEMO_LOG = DATA_DIR / "demo.log"

PERSONAS = (
    Persona("resident1", 100001, "Jeanne", "fr", "résidente à Lyon — resident1@lba.demo / demo1234"),
    Persona("resident2", 100002, "Marcel", "fr", "résident à Lyon — resident2@lba.demo / demo1234"),
    Persona("resident3", 100003, "Lucienne", "fr", "résidente à Bordeaux — resident3@lba.demo / demo1234"),
    Persona("manager", 100010, "Sophie", "fr", "gestionnaire à Lyon — manager@lba.demo / demo1234"),
    Persona("admin", 100020, "Alain", "fr", "administrateur réseau — admin@lba.demo / demo1234"),
    Persona("visitor", 100099, "Emma", "en", "an English-speaking newcomer without an account"),
)


def demo_env(api_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        TELEGRAM_BOT_TOKEN=DEMO_TOKEN,
        TELEGRAM_API_URL=api_url,
        TELEGRAM_BOT_USERNAME=DEMO_BOT_USERNAME,
        DATABASE_URL=f"sqlite:///{DEMO_DB}",
        PYTHONUNBUFFERED="1",
        WEBHOOK_URL="",  # an operator's .env must not turn the demo bot to webhook mode
        METRICS_PORT="0",
    )
    env.setdefault("LOG_LEVEL", "INFO")
    return env


def run_demo(*, fresh: bool = False) -> int:
    DATA_DIR.mkdir(exist_ok=True)
    if fresh:
        for path in DATA_DIR.glob("demo.db*"):
            path.unlink()
    emulator = BotApiEmulator(DEMO_TOKEN, bot_username=DEMO_BOT_USERNAME, bot_first_name="LBA Bot (démo)")
    with EmulatorServer(emulator) as server:
        env = demo_env(server.url)
        print("Préparation de la démo (base data/demo.db)…", flush=True)
        seeded = subprocess.run([sys.executable, "-m", "bot", "seed-demo"], env=env, capture_output=True, text=True)
        if seeded.returncode != 0:
            print(seeded.stderr, file=sys.stderr)
            return seeded.returncode
        with DEMO_LOG.open("a") as log:
            bot = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            if not emulator.wait_for(lambda: any(c.method == "getUpdates" for c in emulator.calls), timeout=60):
                print(f"Le bot n'a pas démarré : voir {DEMO_LOG}.", file=sys.stderr)
                return 1
            print(f"Bot démarré (journal : {DEMO_LOG}). Tapez :help pour l'aide.\n", flush=True)
            Playground(emulator, PERSONAS, downloads=DATA_DIR / "demo-downloads").run()
        finally:
            bot.terminate()
            try:
                bot.wait(timeout=15)
            except subprocess.TimeoutExpired:
                bot.kill()
    return 0
