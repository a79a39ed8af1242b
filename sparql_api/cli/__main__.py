import sys

from sparql_api.cli import main

sys.exit(main())
