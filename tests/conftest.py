import os
import sys

# Let tests import helper plugins that live beside them (tests/toyplugin.py).
sys.path.insert(0, os.path.dirname(__file__))
