# The prod stack (stacks/Pulumi.prod.yaml) written as Terraform azurerm, so checkov — the tool users run for AKS
# policy checks today — can judge the same cluster in the verdict-time benchmark. Not used for deployment.
terraform {
  required_providers {
    azurerm = { source = "hashicorp/azurerm", version = "~> 4.0" }
  }
}

provider "azurerm" {
  features {}
}

locals {
  location = "westeurope"
  name     = "aks-istio-prod"
  tags     = { environment = "prod", "managed-by" = "aks-istio", "cost-center" = "platform" }
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-${local.name}"
  location = local.location
  tags     = local.tags
}

resource "azurerm_virtual_network" "vnet" {
  name                = "vnet-${local.name}"
  location            = local.location
  resource_group_name = azurerm_resource_group.rg.name
  address_space       = ["10.20.0.0/16"]
  tags                = local.tags
}

resource "azurerm_subnet" "nodes" {
  name                 = "snet-nodes"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.20.0.0/22"]
}

resource "azurerm_subnet" "ingress" {
  name                 = "snet-ingress"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.20.4.0/24"]
}

resource "azurerm_user_assigned_identity" "control_plane" {
  name                = "id-${local.name}"
  location            = local.location
  resource_group_name = azurerm_resource_group.rg.name
  tags                = local.tags
}

resource "azurerm_role_assignment" "subnet_network_contributor" {
  scope                = azurerm_subnet.nodes.id
  role_definition_name = "Network Contributor"
  principal_id         = azurerm_user_assigned_identity.control_plane.principal_id
}

resource "azurerm_public_ip" "ingress" {
  name                = "pip-${local.name}-ingress"
  location            = local.location
  resource_group_name = azurerm_resource_group.rg.name
  allocation_method   = "Static"
  sku                 = "Standard"
  zones               = ["1", "2", "3"]
  tags                = local.tags
}

resource "azurerm_kubernetes_cluster" "aks" {
  name                      = local.name
  location                  = local.location
  resource_group_name       = azurerm_resource_group.rg.name
  dns_prefix                = local.name
  kubernetes_version        = "1.34"
  sku_tier                  = "Standard"
  private_cluster_enabled   = true
  local_account_disabled    = true
  oidc_issuer_enabled       = true
  workload_identity_enabled = true
  azure_policy_enabled      = true
  automatic_upgrade_channel = "stable"
  node_os_upgrade_channel   = "SecurityPatch"
  image_cleaner_enabled     = true
  image_cleaner_interval_hours = 48
  tags                      = local.tags

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.control_plane.id]
  }

  default_node_pool {
    name                         = "system"
    vm_size                      = "Standard_D4ds_v5"
    auto_scaling_enabled         = true
    min_count                    = 3
    max_count                    = 5
    zones                        = ["1", "2", "3"]
    max_pods                     = 110
    os_sku                       = "AzureLinux"
    os_disk_type                 = "Ephemeral"
    os_disk_size_gb              = 128
    host_encryption_enabled      = true
    node_public_ip_enabled       = false
    only_critical_addons_enabled = true
    vnet_subnet_id               = azurerm_subnet.nodes.id
    upgrade_settings {
      max_surge = "33%"
    }
  }

  network_profile {
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    network_data_plane  = "cilium"
    network_policy      = "cilium"
    pod_cidr            = "192.168.0.0/16"
    service_cidr        = "10.240.0.0/16"
    dns_service_ip      = "10.240.0.10"
    outbound_type       = "loadBalancer"
    load_balancer_sku   = "standard"
  }

  azure_active_directory_role_based_access_control {
    azure_rbac_enabled     = true
    admin_group_object_ids = ["00000000-0000-0000-0000-0000000000a1"]
  }

  key_vault_secrets_provider {
    secret_rotation_enabled  = true
    secret_rotation_interval = "2m"
  }

  service_mesh_profile {
    mode                             = "Istio"
    revisions                        = ["asm-1-30"]
    internal_ingress_gateway_enabled = true
    external_ingress_gateway_enabled = true
    certificate_authority {
      key_vault_id           = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-pki/providers/Microsoft.KeyVault/vaults/kv-mesh-ca-prod"
      root_cert_object_name  = "root-cert"
      cert_chain_object_name = "cert-chain"
      cert_object_name       = "ca-cert"
      key_object_name        = "ca-key"
    }
  }

  monitor_metrics {
    annotations_allowed = null
    labels_allowed      = null
  }

  maintenance_window_auto_upgrade {
    frequency   = "Weekly"
    interval    = 1
    duration    = 6
    day_of_week = "Saturday"
    start_time  = "01:00"
    utc_offset  = "+00:00"
  }

  maintenance_window_node_os {
    frequency   = "Weekly"
    interval    = 1
    duration    = 6
    day_of_week = "Saturday"
    start_time  = "01:00"
    utc_offset  = "+00:00"
  }

  lifecycle {
    prevent_destroy = true
    ignore_changes  = [default_node_pool[0].node_count, kubernetes_version]
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  name                    = "apps"
  kubernetes_cluster_id   = azurerm_kubernetes_cluster.aks.id
  vm_size                 = "Standard_D8ds_v5"
  mode                    = "User"
  auto_scaling_enabled    = true
  min_count               = 3
  max_count               = 12
  zones                   = ["1", "2", "3"]
  max_pods                = 110
  os_sku                  = "AzureLinux"
  os_disk_type            = "Ephemeral"
  host_encryption_enabled = true
  node_public_ip_enabled  = false
  vnet_subnet_id          = azurerm_subnet.nodes.id
}

resource "azurerm_monitor_workspace" "amw" {
  name                = "amw-${local.name}"
  location            = local.location
  resource_group_name = azurerm_resource_group.rg.name
}

resource "azurerm_monitor_data_collection_endpoint" "dce" {
  name                = "MSProm-${local.location}-${local.name}"
  location            = local.location
  resource_group_name = azurerm_resource_group.rg.name
  kind                = "Linux"
}

resource "azurerm_monitor_data_collection_rule" "dcr" {
  name                        = "MSProm-${local.location}-${local.name}"
  location                    = local.location
  resource_group_name         = azurerm_resource_group.rg.name
  data_collection_endpoint_id = azurerm_monitor_data_collection_endpoint.dce.id
  kind                        = "Linux"
  destinations {
    monitor_account {
      monitor_account_id = azurerm_monitor_workspace.amw.id
      name               = "MonitoringAccount1"
    }
  }
  data_flow {
    streams      = ["Microsoft-PrometheusMetrics"]
    destinations = ["MonitoringAccount1"]
  }
  data_sources {
    prometheus_forwarder {
      streams = ["Microsoft-PrometheusMetrics"]
      name    = "PrometheusDataSource"
    }
  }
}

resource "azurerm_monitor_data_collection_rule_association" "dcra" {
  name                    = "ContainerInsightsMetricsExtension"
  target_resource_id      = azurerm_kubernetes_cluster.aks.id
  data_collection_rule_id = azurerm_monitor_data_collection_rule.dcr.id
}

resource "azurerm_monitor_data_collection_rule_association" "dcea" {
  target_resource_id          = azurerm_kubernetes_cluster.aks.id
  data_collection_endpoint_id = azurerm_monitor_data_collection_endpoint.dce.id
}

resource "azurerm_dashboard_grafana" "grafana" {
  name                              = "amg-${local.name}"
  location                          = local.location
  resource_group_name               = azurerm_resource_group.rg.name
  grafana_major_version             = 11
  public_network_access_enabled     = false
  identity {
    type = "SystemAssigned"
  }
  azure_monitor_workspace_integrations {
    resource_id = azurerm_monitor_workspace.amw.id
  }
}

resource "azurerm_role_assignment" "grafana_reader" {
  scope                = azurerm_monitor_workspace.amw.id
  role_definition_name = "Monitoring Data Reader"
  principal_id         = azurerm_dashboard_grafana.grafana.identity[0].principal_id
}
