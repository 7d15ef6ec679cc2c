//! Devices are trusted only as themselves: with `--mqtt-provision`, the broker runs Mosquitto's
//! dynamic-security plugin and refuses anonymous clients, and Zhizhi — as the plugin's
//! administrator, the user of `--mqtt-url` — registers each device when its secret is issued:
//! a client named by the device's code with that secret, and a role that lets it publish on
//! its own uplink topic only (`zhizhi/+/<code>/up`) and read its own error topic. A retired
//! device's client is disabled. Commands go to `$CONTROL/dynamic-security/v1` and each is
//! answered on `…/response`, matched by its correlation data.

use super::mqtt::BrokerUrl;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

const CONTROL: &str = "$CONTROL/dynamic-security/v1";
const RESPONSE: &str = "$CONTROL/dynamic-security/v1/response";
/// The role of Zhizhi's own ingest client: read every uplink, answer on the error topics.
const INGEST_ROLE: &str = "zhizhi-ingest";

/// The broker's administration, over one MQTT connection of its own.
pub struct BrokerAdmin {
    client: AsyncClient,
    pending: Arc<Mutex<HashMap<String, oneshot::Sender<Value>>>>,
    connected: tokio::sync::watch::Receiver<bool>,
    next: std::sync::atomic::AtomicU64,
}

impl BrokerAdmin {
    /// Connects as the administrator of `broker` (its URL's user) and keeps the connection.
    pub fn start(broker: &BrokerUrl) -> Result<Arc<BrokerAdmin>, String> {
        let (user, password) = broker.credentials.clone().ok_or("--mqtt-provision 需要在 --mqtt-url 中给出代理管理员的用户名和密码")?;
        let mut options = MqttOptions::new(format!("zhizhi-admin-{}", std::process::id()), broker.host.clone(), broker.port);
        options.set_keep_alive(Duration::from_secs(30)).set_credentials(&user, &password);
        let (client, mut events) = AsyncClient::new(options, 64);
        let pending: Arc<Mutex<HashMap<String, oneshot::Sender<Value>>>> = Arc::default();
        let (up, connected) = tokio::sync::watch::channel(false);
        let (answers, sub) = (pending.clone(), client.clone());
        tokio::spawn(async move {
            loop {
                match events.poll().await {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        let _ = sub.subscribe(RESPONSE, QoS::AtLeastOnce).await;
                    }
                    Ok(Event::Incoming(Packet::SubAck(_))) => {
                        let _ = up.send(true);
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) if p.topic == RESPONSE => {
                        let Ok(v) = serde_json::from_slice::<Value>(&p.payload) else { continue };
                        for r in v["responses"].as_array().into_iter().flatten() {
                            let waiting = r["correlationData"].as_str().and_then(|id| answers.lock().ok()?.remove(id));
                            if let Some(w) = waiting {
                                let _ = w.send(r.clone());
                            }
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let _ = up.send(false);
                        tracing::warn!(error = %e, "MQTT broker administration: connection lost; reconnecting in 1 s");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(Arc::new(BrokerAdmin { client, pending, connected, next: Default::default() }))
    }

    /// Sends commands and waits for their answers (in order); an answer's `error`, if any, is
    /// the caller's to judge ("already exists" is often fine).
    async fn commands(&self, mut commands: Vec<Value>) -> Result<Vec<Value>, String> {
        let mut connected = self.connected.clone();
        tokio::time::timeout(Duration::from_secs(10), connected.wait_for(|c| *c))
            .await
            .map_err(|_| "MQTT 代理连接不上".to_string())?
            .map_err(|_| "MQTT 代理连接已关闭".to_string())?;
        let (mut ids, mut answers) = (Vec::new(), Vec::new());
        for c in &mut commands {
            let id = format!("zz-{}", self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
            c["correlationData"] = json!(id);
            let (tx, rx) = oneshot::channel();
            self.pending.lock().map_err(|_| "lock")?.insert(id.clone(), tx);
            ids.push(id);
            answers.push(rx);
        }
        let body = json!({ "commands": commands }).to_string();
        let sent = self.client.publish(CONTROL, QoS::AtLeastOnce, false, body).await.map_err(|e| format!("MQTT 代理管理命令未能发出：{e}"));
        let out = match sent {
            Ok(()) => self.answers(answers).await,
            Err(e) => Err(e),
        };
        // Whatever was not answered is forgotten.
        if let Ok(mut pending) = self.pending.lock() {
            for id in &ids {
                pending.remove(id);
            }
        }
        out
    }

    async fn answers(&self, answers: Vec<oneshot::Receiver<Value>>) -> Result<Vec<Value>, String> {
        let mut out = Vec::new();
        for rx in answers {
            let answer = tokio::time::timeout(Duration::from_secs(10), rx).await.map_err(|_| "MQTT 代理没有回答管理命令（是否启用了 dynamic-security 插件？）".to_string())?;
            out.push(answer.map_err(|_| "MQTT 代理管理连接中断".to_string())?);
        }
        Ok(out)
    }

    /// Makes the broker client of Zhizhi's own ingest (`zhizhi-ingest`, with a new password each
    /// start): it reads every uplink and answers on the error topics. Its credentials, for the
    /// ingest connection. (The administrator's own roles are left alone: changing them would
    /// disconnect it.)
    pub async fn prepare(&self) -> Result<(String, String), String> {
        let acls = json!([
            { "acltype": "subscribePattern", "topic": "zhizhi/+/+/up", "allow": true },
            { "acltype": "publishClientReceive", "topic": "zhizhi/+/+/up", "allow": true },
            { "acltype": "publishClientSend", "topic": "zhizhi/+/+/err", "allow": true },
        ]);
        let password = crate::auth::new_token();
        let answers = self
            .commands(vec![
                json!({ "command": "createRole", "rolename": INGEST_ROLE, "acls": acls }),
                json!({ "command": "createClient", "username": INGEST_ROLE, "password": password, "roles": [{ "rolename": INGEST_ROLE }] }),
                json!({ "command": "setClientPassword", "username": INGEST_ROLE, "password": password }),
            ])
            .await?;
        fail_unless_exists(&answers)?;
        Ok((INGEST_ROLE.to_string(), password))
    }

    /// Registers a device with its new secret: its client (created, or its password replaced)
    /// and its role (publish on its own uplink only, read its own error topic).
    pub async fn provision(&self, code: &str, secret: &str) -> Result<(), String> {
        let role = format!("device-{code}");
        let acls = json!([
            { "acltype": "publishClientSend", "topic": format!("zhizhi/+/{code}/up"), "allow": true },
            { "acltype": "subscribePattern", "topic": format!("zhizhi/+/{code}/err"), "allow": true },
            { "acltype": "publishClientReceive", "topic": format!("zhizhi/+/{code}/err"), "allow": true },
        ]);
        let answers = self
            .commands(vec![
                json!({ "command": "createRole", "rolename": role, "acls": acls }),
                json!({ "command": "createClient", "username": code, "password": secret, "roles": [{ "rolename": role }] }),
                json!({ "command": "setClientPassword", "username": code, "password": secret }),
                json!({ "command": "enableClient", "username": code }),
            ])
            .await?;
        fail_unless_exists(&answers)
    }

    /// Disables (a retired device) or enables a device's client.
    pub async fn set_enabled(&self, code: &str, enabled: bool) -> Result<(), String> {
        let command = if enabled { "enableClient" } else { "disableClient" };
        let answers = self.commands(vec![json!({ "command": command, "username": code })]).await?;
        // A device never given a secret has no client: nothing to disable.
        let missing = answers.iter().all(|a| a["error"].as_str().is_some_and(|e| e.contains("not found")));
        if missing { Ok(()) } else { fail_unless_exists(&answers) }
    }
}

/// The first error among the answers, except "already exists".
fn fail_unless_exists(answers: &[Value]) -> Result<(), String> {
    match answers.iter().filter_map(|a| a["error"].as_str()).find(|e| !e.contains("already exists")) {
        Some(e) => Err(format!("MQTT 代理拒绝了管理命令：{e}")),
        None => Ok(()),
    }
}
