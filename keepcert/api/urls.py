from ninja import NinjaAPI

api = NinjaAPI(title="KeepCert API", version="1", urls_namespace="api")
