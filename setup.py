"""The one compiled part: `pipelines.archive._rank`, an FTS5 ranking function (see its source).

Optional: without a C compiler or SQLite's headers the package installs without it and the
search ranks with FTS5's own bm25(), slower on words found in much of a large archive.
Everything else about the package is in pyproject.toml.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "pipelines.archive._rank",
            ["pipelines/archive/_rank.c"],
            libraries=["sqlite3"],
            optional=True,
        )
    ]
)
