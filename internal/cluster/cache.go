package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"

	"github.com/bulwark-dev/bulwark/internal/admission"
	"github.com/bulwark-dev/bulwark/internal/manifest"
)

// Cache keeps the cluster objects whole-set rules read (RBAC, ServiceAccounts,
// Argo CD and Flux objects) up to date from informers, so an admission
// request reads a snapshot in memory instead of calling the API server.
// It implements admission.ClusterState.
type Cache struct {
	log       *slog.Logger
	metrics   *admission.Metrics
	typed     informers.SharedInformerFactory
	dyn       dynamicinformer.DynamicSharedInformerFactory
	synced    []cache.InformerSynced
	resources []admission.Resource

	mu    sync.Mutex
	objs  map[string]*manifest.Object
	gen   uint64
	dirty atomic.Bool
	snap  atomic.Pointer[admission.Snapshot]
}

// NewCache sets up informers for the resources. Resources served through
// custom resource definitions that the cluster does not have are skipped.
func NewCache(c *Clients, resources []admission.Resource, log *slog.Logger, m *admission.Metrics) (*Cache, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ca := &Cache{log: log, metrics: m, objs: map[string]*manifest.Object{}}
	ca.snap.Store(&admission.Snapshot{})
	ca.typed = informers.NewSharedInformerFactoryWithOptions(c.Kube, 0, informers.WithTransform(stripForCache))
	ca.dyn = dynamicinformer.NewDynamicSharedInformerFactory(c.Dynamic, 0)
	for _, r := range resources {
		inf, err := ca.informerFor(c, r)
		if err != nil {
			return nil, err
		}
		if inf == nil {
			log.Info("cluster cache: resource not served, skipped", "resource", r.GVR())
			continue
		}
		r := r
		if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { ca.put(r, obj) },
			UpdateFunc: func(_, obj any) { ca.put(r, obj) },
			DeleteFunc: func(obj any) { ca.remove(r, obj) },
		}); err != nil {
			return nil, err
		}
		ca.synced = append(ca.synced, inf.HasSynced)
		ca.resources = append(ca.resources, r)
	}
	return ca, nil
}

// Resources lists what the cache holds.
func (ca *Cache) Resources() []admission.Resource { return ca.resources }

func (ca *Cache) informerFor(c *Clients, r admission.Resource) (cache.SharedIndexInformer, error) {
	switch r.Group + "/" + r.Resource {
	case "rbac.authorization.k8s.io/roles":
		return ca.typed.Rbac().V1().Roles().Informer(), nil
	case "rbac.authorization.k8s.io/rolebindings":
		return ca.typed.Rbac().V1().RoleBindings().Informer(), nil
	case "rbac.authorization.k8s.io/clusterroles":
		return ca.typed.Rbac().V1().ClusterRoles().Informer(), nil
	case "rbac.authorization.k8s.io/clusterrolebindings":
		return ca.typed.Rbac().V1().ClusterRoleBindings().Informer(), nil
	case "/serviceaccounts":
		return ca.typed.Core().V1().ServiceAccounts().Informer(), nil
	}
	served, err := Serves(c, r)
	if err != nil || !served {
		return nil, err
	}
	gvr := schema.GroupVersionResource{Group: r.Group, Version: r.Version, Resource: r.Resource}
	return ca.dyn.ForResource(gvr).Informer(), nil
}

// Serves reports whether the API server serves a resource (custom
// resources exist only where their definitions are installed).
func Serves(c *Clients, r admission.Resource) (bool, error) {
	gv := r.Version
	if r.Group != "" {
		gv = r.Group + "/" + r.Version
	}
	list, err := c.Discovery.ServerResourcesForGroupVersion(gv)
	if err != nil {
		if isNotFound(err) {
			return false, nil
		}
		return false, fmt.Errorf("discovering %s: %w", gv, err)
	}
	for _, res := range list.APIResources {
		if res.Name == r.Resource {
			return true, nil
		}
	}
	return false, nil
}

func isNotFound(err error) bool {
	var se interface{ Status() metav1.Status }
	if errors.As(err, &se) {
		return se.Status().Code == 404
	}
	return strings.Contains(err.Error(), "the server could not find the requested resource")
}

// Start runs the informers until ctx ends.
func (ca *Cache) Start(ctx context.Context) {
	ca.typed.Start(ctx.Done())
	ca.dyn.Start(ctx.Done())
}

// WaitForSync blocks until every informer has listed its resource.
func (ca *Cache) WaitForSync(ctx context.Context) error {
	if !cache.WaitForCacheSync(ctx.Done(), ca.synced...) {
		return errors.New("cluster cache did not sync")
	}
	return nil
}

// Ready reports an error until every informer has synced.
func (ca *Cache) Ready() error {
	for _, s := range ca.synced {
		if !s() {
			return errors.New("cluster cache is syncing")
		}
	}
	return nil
}

// Snapshot returns the objects as of the last change. A change marks the
// snapshot stale; the next request rebuilds it once.
func (ca *Cache) Snapshot() *admission.Snapshot {
	if ca.dirty.Load() {
		ca.mu.Lock()
		if ca.dirty.Load() {
			objs := make([]*manifest.Object, 0, len(ca.objs))
			keys := make([]string, 0, len(ca.objs))
			for k := range ca.objs {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				objs = append(objs, ca.objs[k])
			}
			ca.gen++
			ca.snap.Store(&admission.Snapshot{Generation: ca.gen, Objects: objs})
			ca.dirty.Store(false)
			ca.metrics.CacheSize(len(objs))
		}
		ca.mu.Unlock()
	}
	return ca.snap.Load()
}

func (ca *Cache) put(r admission.Resource, obj any) {
	data, key, err := encodeForCache(r, obj)
	if err != nil {
		ca.log.Warn("cluster cache: object not cached", "resource", r.GVR(), "error", err)
		return
	}
	o, err := admission.ClusterObject(data)
	if err != nil {
		ca.log.Warn("cluster cache: object not cached", "resource", r.GVR(), "key", key, "error", err)
		return
	}
	ca.mu.Lock()
	ca.objs[r.GVR()+"/"+key] = o
	ca.dirty.Store(true)
	ca.mu.Unlock()
}

func (ca *Cache) remove(r admission.Resource, obj any) {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		return
	}
	ca.mu.Lock()
	delete(ca.objs, r.GVR()+"/"+key)
	ca.dirty.Store(true)
	ca.mu.Unlock()
}

// encodeForCache returns the object's JSON with its apiVersion and kind
// (typed informers drop them) and its namespace/name key.
func encodeForCache(r admission.Resource, obj any) ([]byte, string, error) {
	key, err := cache.MetaNamespaceKeyFunc(obj)
	if err != nil {
		return nil, "", err
	}
	ro, ok := obj.(runtime.Object)
	if !ok {
		return nil, "", fmt.Errorf("unexpected %T", obj)
	}
	gvk := schema.GroupVersionKind{Group: r.Group, Version: r.Version, Kind: r.Kind}
	if ro.GetObjectKind().GroupVersionKind() != gvk {
		ro = ro.DeepCopyObject()
		ro.GetObjectKind().SetGroupVersionKind(gvk)
	}
	data, err := json.Marshal(ro)
	return data, key, err
}

// stripForCache drops what no rule reads and what costs memory: managed
// fields and the last-applied annotation.
func stripForCache(obj any) (any, error) {
	if m, ok := obj.(metav1.Object); ok {
		m.SetManagedFields(nil)
		if a := m.GetAnnotations(); a != nil {
			if _, ok := a["kubectl.kubernetes.io/last-applied-configuration"]; ok {
				delete(a, "kubectl.kubernetes.io/last-applied-configuration")
				m.SetAnnotations(a)
			}
		}
	}
	return obj, nil
}
