import LedgerServer
_ = LedgerServerPlaceholder.router()
