"""What pyproject.toml cannot say: the wheel's packages and the templates they render.

The templates live in the repository's top-level ``templates/`` folder. The wheel ships them as the data-only
package ``sdkgen._templates`` (``package_dir`` maps that name onto the folder), so an installed sdkgen finds
them at ``sdkgen/_templates`` (see ``TEMPLATES_ROOT`` in sdkgen/sdk/render.py). A source checkout or an
editable install (``make install``) reads ``templates/`` directly. tests/test_packaging.py builds the wheel and
checks that every template is in it and is found by an installed sdkgen.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["sdkgen", "sdkgen.*"]), "sdkgen._templates"],
    package_dir={"sdkgen._templates": "templates"},
    # The host stand-ins of the runtime classes (Kotlin/Java sources compiled by `android-binding-run`).
    package_data={"sdkgen._templates": ["**/*"], "sdkgen.hostrun": ["android/**/*", "ios/**/*"]},
    # Data comes only from package_data: the manifest route would also warn that each template folder with an
    # identifier name (android/, ios/...) looks like a package missing from `packages`.
    include_package_data=False,
)
