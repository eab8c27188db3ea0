"""Live voice: the answer finder, the voice tools, the phone line's TwiML and signatures, the realtime
provider interface and the browser voice page. Storage (sessions, quotas, transcripts) and the doors'
routes sit on top of this package."""
