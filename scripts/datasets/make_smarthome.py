"""A synthetic smart-home intent dataset: the README's "new dataset" example.

    python scripts/datasets/make_smarthome.py OUT.jsonl [--per-intent N] [--seed S]

Writes {"text", "intent"} lines (the layout examples/clinc150 reads): eight
smart-home intents plus out-of-scope requests (intent "oos"), each text made
from a template and slot values drawn with a fixed seed, distinct texts only,
in a fixed order. The same arguments give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from pathlib import Path

ROOMS = [
    "kitchen",
    "living room",
    "bedroom",
    "bathroom",
    "hallway",
    "office",
    "garage",
    "nursery",
    "dining room",
    "basement",
    "attic",
    "porch",
    "guest room",
    "study",
    "den",
    "laundry room",
]
DEVICES = [
    "lights",
    "lamp",
    "ceiling light",
    "fairy lights",
    "spotlights",
    "reading light",
]
TEMPS = [str(t) for t in range(16, 27)]
SONGS = [
    "some jazz",
    "my workout playlist",
    "the radio",
    "relaxing music",
    "the latest album by adele",
    "lofi beats",
    "classical music",
    "my favourites",
    "a podcast",
    "rock music",
    "something upbeat",
]
TIMES = [
    "6 am",
    "6:30",
    "7 o'clock",
    "half past seven",
    "8 tomorrow",
    "noon",
    "5 pm",
    "9 tonight",
    "quarter to six",
    "10 minutes from now",
    "an hour from now",
    "7:15",
]
POLITE = [
    "",
    "please ",
    "could you ",
    "can you ",
    "hey, ",
    "would you ",
    "i want you to ",
    "go ahead and ",
]
TAIL = ["", " please", " now", " for me", " right away", " thanks"]

TEMPLATES: dict[str, list[str]] = {
    "lights_on": [
        "{p}turn on the {d} in the {r}{t}",
        "{p}switch the {r} {d} on{t}",
        "{p}light up the {r}{t}",
        "it's dark in the {r}, {p}turn the {d} on{t}",
    ],
    "lights_off": [
        "{p}turn off the {d} in the {r}{t}",
        "{p}switch the {r} {d} off{t}",
        "{p}kill the {d} in the {r}{t}",
        "nobody is in the {r}, {p}turn the {d} off{t}",
    ],
    "set_temperature": [
        "{p}set the {r} to {n} degrees{t}",
        "{p}make it {n} degrees in the {r}{t}",
        "{p}change the thermostat in the {r} to {n}{t}",
        "{p}heat the {r} to {n}{t}",
    ],
    "get_temperature": [
        "what's the temperature in the {r}",
        "how warm is the {r}",
        "{p}tell me how cold the {r} is{t}",
        "is it hot in the {r} right now",
    ],
    "play_music": [
        "{p}play {s} in the {r}{t}",
        "{p}put on {s}{t}",
        "{p}start {s} in the {r}{t}",
        "i'd like to hear {s} in the {r}",
    ],
    "stop_music": [
        "{p}stop the music in the {r}{t}",
        "{p}pause the music{t}",
        "{p}turn the music off in the {r}{t}",
        "enough music in the {r}, {p}stop it{t}",
    ],
    "set_alarm": [
        "{p}set an alarm for {m}{t}",
        "{p}wake me up at {m}{t}",
        "{p}ring the alarm at {m} in the {r}{t}",
        "i need an alarm at {m}",
    ],
    "lock_doors": [
        "{p}lock the {r} door{t}",
        "{p}lock all the doors{t}",
        "{p}make sure the {r} door is locked{t}",
        "is the {r} door locked? {p}lock it{t}",
    ],
}
OOS = [
    "what's the capital of {r}",
    "{p}book me a flight to paris{t}",
    "how many calories are in an apple",
    "{p}tell me a joke about the {r}{t}",
    "who won the football game last night",
    "{p}order a pizza{t}",
    "what is my credit score",
    "{p}translate hello into spanish{t}",
    "how tall is mount everest",
    "{p}find a recipe for {s}{t}",
    "when was the {r} built",
    "what's the exchange rate for euros",
    "{p}send a text to my mom{t}",
    "how do i change a tyre",
    "what does {s} mean",
]


def make(per_intent: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)

    def fill(tpl: str) -> str:
        return tpl.format(
            p=rng.choice(POLITE),
            t=rng.choice(TAIL),
            r=rng.choice(ROOMS),
            d=rng.choice(DEVICES),
            n=rng.choice(TEMPS),
            s=rng.choice(SONGS),
            m=rng.choice(TIMES),
        ).strip()

    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for intent, templates in [*TEMPLATES.items(), ("oos", OOS)]:
        want = per_intent if intent != "oos" else per_intent // 2
        made, tries = 0, 0
        while made < want:
            tries += 1
            if tries > want * 200:
                raise ValueError(
                    f"{intent}: only {made} distinct texts; lower --per-intent"
                )
            text = fill(rng.choice(templates))
            if text in seen:
                continue
            seen.add(text)
            rows.append({"text": text, "intent": intent})
            made += 1
    return rows


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="make_smarthome.py")
    ap.add_argument("output", type=Path)
    ap.add_argument("--per-intent", type=int, default=150)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args(argv)
    try:
        rows = make(a.per_intent, a.seed)
    except ValueError as e:
        print(f"make_smarthome: error: {e}", file=sys.stderr)
        return 1
    a.output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=a.output.parent, prefix=f".{a.output.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r, sort_keys=True) + "\n" for r in rows)
    os.replace(tmp, a.output)
    print(f"make_smarthome: {len(rows)} examples -> {a.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
