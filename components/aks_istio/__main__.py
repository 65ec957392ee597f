from aks_istio.cli import run

run()
