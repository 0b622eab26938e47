"""placeholder"""
def transpile(*a, **k):
    raise NotImplementedError
