import sys
from pathlib import Path

# The shared hypothesis strategies live beside the tests (no package __init__ in tests/).
sys.path.insert(0, str(Path(__file__).parent))
