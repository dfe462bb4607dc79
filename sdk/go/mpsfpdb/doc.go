// Alibaba Cloud MPS media fingerprint (DNA) libraries as Pulumi resources: create or adopt a library, empty it on a trigger, and delete it on destroy, with jobs resumed rather than submitted twice.
package mpsfpdb
