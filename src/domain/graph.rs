//! The network of initiatives, organisations and experts: nodes and their
//! links, each node with its degree and its betweenness (how often it lies
//! on the shortest paths between two others: the people and organisations
//! that bridge communities), in Cytoscape.js elements JSON or GraphML.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use rustworkx_core::centrality::betweenness_centrality;
use rustworkx_core::petgraph::graph::{NodeIndex, UnGraph};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// Betweenness is computed in parallel from this many nodes on.
const PARALLEL_FROM: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
#[schema(as = NetworkNodeKind)]
pub enum NodeKind {
    Initiative,
    Organisation,
    Expert,
}

impl NodeKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Initiative => "initiative",
            Self::Organisation => "organisation",
            Self::Expert => "expert",
        }
    }
}

/// What a link between two nodes is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
#[schema(as = NetworkEdgeKind)]
pub enum EdgeKind {
    /// An organisation takes part in an initiative.
    TakesPart,
    /// An expert takes part in an initiative.
    Participates,
    /// An expert is affiliated with an organisation.
    AffiliatedWith,
    /// Two initiatives are related.
    RelatedTo,
}

impl EdgeKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::TakesPart => "takes-part",
            Self::Participates => "participates",
            Self::AffiliatedWith => "affiliated-with",
            Self::RelatedTo => "related-to",
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NodeData {
    #[schema(example = "01938000-0000-7000-8000-000000001001")]
    pub id: Uuid,
    #[schema(example = "NEN")]
    pub label: String,
    pub kind: NodeKind,
    /// Links to other nodes in this network.
    #[schema(example = 4)]
    pub degree: usize,
    /// Normalised betweenness centrality in 0..1 within this network:
    /// the share of shortest paths between two other nodes through this one.
    #[schema(example = 0.31)]
    pub betweenness: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EdgeData {
    /// `e` and the edge's number in this network.
    #[schema(example = "e1")]
    pub id: String,
    pub source: Uuid,
    pub target: Uuid,
    pub kind: EdgeKind,
    /// The role or relation the link records (`member`, `chair`, a job
    /// title, `part-of`, …).
    #[schema(example = "member")]
    pub role: Option<String>,
}

/// A node as Cytoscape.js reads it: its fields under `data`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = NetworkNode)]
pub struct NodeElement {
    pub data: NodeData,
}

/// An edge as Cytoscape.js reads it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = NetworkEdge)]
pub struct EdgeElement {
    pub data: EdgeData,
}

/// What `cy.add()` (or `cytoscape({elements})`) takes.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = NetworkElements)]
pub struct Elements {
    pub nodes: Vec<NodeElement>,
    pub edges: Vec<EdgeElement>,
}

/// How much of the filtered initiatives the network shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Coverage {
    /// Initiatives matching the filters.
    #[schema(example = 120)]
    pub matched: i64,
    /// Initiatives in this network.
    #[schema(example = 100)]
    pub shown: usize,
}

/// One page of the network: the initiatives of a list page, with the
/// organisations and experts linked to them and the links among them all.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "elements": {
        "nodes": [
            {"data": {"id": "01938000-0000-7000-8000-000000003057", "label": "NEN expert group on AI and medical devices", "kind": "initiative", "degree": 2, "betweenness": 0.5}},
            {"data": {"id": "01938000-0000-7000-8000-000000001001", "label": "NEN", "kind": "organisation", "degree": 1, "betweenness": 0.0}},
            {"data": {"id": "01938000-0000-7000-8000-000000002002", "label": "Bram Voorbeeld", "kind": "expert", "degree": 1, "betweenness": 0.0}}
        ],
        "edges": [
            {"data": {"id": "e1", "source": "01938000-0000-7000-8000-000000003057", "target": "01938000-0000-7000-8000-000000001001", "kind": "takes-part", "role": "secretariat"}},
            {"data": {"id": "e2", "source": "01938000-0000-7000-8000-000000003057", "target": "01938000-0000-7000-8000-000000002002", "kind": "participates", "role": "member"}}
        ]
    },
    "initiatives": {"matched": 1, "shown": 1},
    "next": null
}))]
pub struct Network {
    pub elements: Elements,
    pub initiatives: Coverage,
    /// The cursor of the next page of initiatives, when there is one.
    pub next: Option<String>,
}

/// Collects nodes and links, then measures them.
#[derive(Debug, Default)]
pub struct Builder {
    nodes: Vec<(Uuid, NodeKind, String)>,
    index: HashMap<Uuid, usize>,
    edges: Vec<(usize, usize, EdgeKind, Option<String>)>,
    linked: HashSet<(usize, usize)>,
}

impl Builder {
    /// Adds a node; a node already there stays as it was.
    pub fn node(&mut self, id: Uuid, kind: NodeKind, label: String) {
        if !self.index.contains_key(&id) {
            self.index.insert(id, self.nodes.len());
            self.nodes.push((id, kind, label));
        }
    }

    /// Whether `id` is a node.
    pub fn has(&self, id: Uuid) -> bool {
        self.index.contains_key(&id)
    }

    /// Links two nodes; a link to a node not in the network, or a second
    /// link between the same two, is left out.
    pub fn edge(&mut self, source: Uuid, target: Uuid, kind: EdgeKind, role: Option<String>) {
        let (Some(&a), Some(&b)) = (self.index.get(&source), self.index.get(&target)) else {
            return;
        };
        if a == b || !self.linked.insert((a.min(b), a.max(b))) {
            return;
        }
        self.edges.push((a, b, kind, role));
    }

    /// The network, each node with its degree and betweenness.
    pub fn finish(self, initiatives: Coverage, next: Option<String>) -> Network {
        let mut graph: UnGraph<(), ()> = UnGraph::with_capacity(self.nodes.len(), self.edges.len());
        let indices: Vec<NodeIndex> = self.nodes.iter().map(|_| graph.add_node(())).collect();
        for (a, b, ..) in &self.edges {
            graph.add_edge(indices[*a], indices[*b], ());
        }
        let betweenness = betweenness_centrality(&graph, false, true, PARALLEL_FROM);
        let nodes = self
            .nodes
            .into_iter()
            .enumerate()
            .map(|(i, (id, kind, label))| NodeElement {
                data: NodeData {
                    id,
                    label,
                    kind,
                    degree: graph.neighbors(indices[i]).count(),
                    betweenness: betweenness
                        .get(i)
                        .copied()
                        .flatten()
                        .map_or(0.0, |b| (b * 1e4).round() / 1e4),
                },
            })
            .collect::<Vec<_>>();
        let edges = self
            .edges
            .into_iter()
            .enumerate()
            .map(|(i, (a, b, kind, role))| EdgeElement {
                data: EdgeData {
                    id: format!("e{}", i + 1),
                    source: nodes[a].data.id,
                    target: nodes[b].data.id,
                    kind,
                    role,
                },
            })
            .collect();
        Network {
            elements: Elements { nodes, edges },
            initiatives,
            next,
        }
    }
}

/// GraphML's media type.
pub const GRAPHML: &str = "application/graphml+xml";

/// The network as GraphML (undirected), with each node's label, kind,
/// degree and betweenness and each edge's kind and role as data.
pub fn graphml(network: &Network) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns \
         http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n\
         <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n\
         <key id=\"kind\" for=\"node\" attr.name=\"kind\" attr.type=\"string\"/>\n\
         <key id=\"degree\" for=\"node\" attr.name=\"degree\" attr.type=\"int\"/>\n\
         <key id=\"betweenness\" for=\"node\" attr.name=\"betweenness\" attr.type=\"double\"/>\n\
         <key id=\"edgeKind\" for=\"edge\" attr.name=\"kind\" attr.type=\"string\"/>\n\
         <key id=\"role\" for=\"edge\" attr.name=\"role\" attr.type=\"string\"/>\n\
         <graph id=\"aimd-network\" edgedefault=\"undirected\">\n",
    );
    for node in &network.elements.nodes {
        let n = &node.data;
        let _ = writeln!(
            out,
            "<node id=\"{}\"><data key=\"label\">{}</data><data key=\"kind\">{}</data>\
             <data key=\"degree\">{}</data><data key=\"betweenness\">{}</data></node>",
            n.id,
            escape(&n.label),
            n.kind.as_str(),
            n.degree,
            n.betweenness
        );
    }
    for edge in &network.elements.edges {
        let e = &edge.data;
        let _ = write!(
            out,
            "<edge id=\"{}\" source=\"{}\" target=\"{}\"><data key=\"edgeKind\">{}</data>",
            e.id,
            e.source,
            e.target,
            e.kind.as_str()
        );
        if let Some(role) = &e.role {
            let _ = write!(out, "<data key=\"role\">{}</data>", escape(role));
        }
        out.push_str("</edge>\n");
    }
    out.push_str("</graph>\n</graphml>\n");
    out
}

/// Text as XML character data or an attribute value (GraphML here, the
/// heat maps' SVG too).
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            // Characters XML 1.0 does not allow at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    /// Two triangles joined through one node: it alone bridges them.
    #[test]
    fn the_node_between_two_communities_bridges_them() {
        let mut builder = Builder::default();
        for n in 1..=5 {
            builder.node(id(n), NodeKind::Expert, format!("n{n}"));
        }
        for (a, b) in [(1, 2), (2, 3), (1, 3), (3, 4), (4, 5), (3, 5)] {
            builder.edge(id(a), id(b), EdgeKind::AffiliatedWith, None);
        }
        // A second link between the same nodes, and one to a stranger, are left out.
        builder.edge(id(2), id(1), EdgeKind::RelatedTo, None);
        builder.edge(id(1), id(99), EdgeKind::RelatedTo, None);
        let network = builder.finish(
            Coverage {
                matched: 0,
                shown: 0,
            },
            None,
        );
        let data: Vec<&NodeData> = network.elements.nodes.iter().map(|n| &n.data).collect();
        assert_eq!(network.elements.edges.len(), 6);
        assert_eq!(data[2].degree, 4);
        // Node 3 lies on every shortest path between {1, 2} and {4, 5}: 4 of
        // the 6 pairs of other nodes, normalised by (n-1)(n-2)/2 = 6.
        assert_eq!(data[2].betweenness, 0.6667);
        assert!(
            data.iter()
                .enumerate()
                .all(|(i, n)| i == 2 || n.betweenness == 0.0)
        );
    }

    #[test]
    fn graphml_escapes_what_it_writes() {
        let mut builder = Builder::default();
        builder.node(id(1), NodeKind::Organisation, "R&D <Lab> \"A\"".to_owned());
        let xml = graphml(&builder.finish(
            Coverage {
                matched: 1,
                shown: 1,
            },
            None,
        ));
        assert!(xml.contains("R&amp;D &lt;Lab&gt; &quot;A&quot;"), "{xml}");
    }
}
