import Steward
