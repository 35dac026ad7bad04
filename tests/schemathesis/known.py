"""Reads known-rejections.txt: `METHOD PATH  check  fragment  # why` lines,
`#` starting a comment; the fragment is matched against the Stripe error's
`code` and `message` of the response."""


def load(path: str) -> list[tuple[str, str, str]]:
    rules = []
    with open(path, encoding="utf-8") as file:
        for line in file:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            method, path_, check, fragment = line.split(None, 3)
            rules.append((f"{method.upper()} {path_}", check, fragment.strip()))
    return rules
